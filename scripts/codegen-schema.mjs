// graphql-codegen's loader for the SDL files in schema/ (codegen.yml): each file as the subgraphs
// and composition read it, its named selections expanded (common/src/sdl.ts). Plain JavaScript,
// because codegen imports it as it is; `npm run codegen` builds common first.
import { readSdl } from '@credit-gateway/common';

export default function loadSchema(pointer) {
  return readSdl(pointer);
}
