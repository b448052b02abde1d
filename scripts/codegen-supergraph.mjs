// graphql-codegen's loader for the committed supergraph (codegen.yml): the API schema clients see,
// as the gateway serves it, without the federation's join__ and link__ machinery. Plain JavaScript,
// because codegen imports it as it is.
import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';

export default function loadSupergraph(pointer) {
  return Supergraph.build(readFileSync(pointer, 'utf8')).apiSchema().toGraphQLJSSchema();
}
