// A graphql-codegen plugin (codegen.yml) writing the closed list of error codes a client can see in
// `extensions.code`, from the one list the gateway and the subgraphs raise them from
// (ERROR_CODES in common/src/errors.ts), so the client package never carries a copy of its own.
// `npm run codegen` builds common first.
import { ERROR_CODES } from '@credit-gateway/common';

export function plugin() {
  const lines = ERROR_CODES.map((code) => `  '${code}',`);
  return [
    '/**',
    ' * Every code the gateway can answer in `extensions.code`: a closed list, from ERROR_CODES in',
    ' * common/src/errors.ts. A new code is an API change, and a new version of this package.',
    ' */',
    'export const ERROR_CODES = [',
    ...lines,
    '] as const;',
    '',
    '/** Every code the gateway can answer in `extensions.code`. */',
    'export type ErrorCode = (typeof ERROR_CODES)[number];',
    '',
  ].join('\n');
}
