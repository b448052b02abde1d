import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse, type GraphQLSchema } from 'graphql';
import { accessRules, type AccessRule } from '@credit-gateway/common';
import { REPOSITORY } from '../harness/system.js';

export const SUPERGRAPH_FILE = join(REPOSITORY, 'schema/supergraph.graphql');

export interface FuzzSchema {
  /** The supergraph as graphql-js reads it; fields of the federation machinery are skipped by the generators. */
  schema: GraphQLSchema;
  /** `Type.field` → who may read it, read from the `@access` directives as the gateway reads them. */
  accessRules: ReadonlyMap<string, AccessRule>;
}

/** The committed supergraph: the schema the gateway serves, and its access rules. */
export function loadFuzzSchema(file = SUPERGRAPH_FILE): FuzzSchema {
  const sdl = readFileSync(file, 'utf8');
  return { schema: buildSchema(sdl, { assumeValidSDL: true }), accessRules: accessRules(parse(sdl)) };
}

/** Types and fields of the federation machinery, which the API schema does not expose. */
export function isMachinery(name: string): boolean {
  return name.startsWith('join__') || name.startsWith('link__') || name === '_Entity' || name === '_Service';
}
