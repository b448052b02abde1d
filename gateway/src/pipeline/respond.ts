/**
 * Stage 11, respond. A refusal of the HTTP request itself keeps its status for every client; any
 * other answer is 200 for `application/json` clients and keeps its status for clients that accept
 * `application/graphql-response+json` (GraphQL over HTTP).
 */
import { sendJson } from '@credit-gateway/common';
import type { Answer } from './answer.js';
import type { RequestContext } from './context.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';

/** Sends the answer; returns the HTTP status sent. */
export function respond(context: RequestContext, answer: Answer): number {
  const { request, response } = context;
  const graphqlResponse = (request.headers.accept ?? '').includes('application/graphql-response+json');
  if (answer.headers) for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
  const status = answer.transport || graphqlResponse ? answer.status : 200;
  sendJson(response, status, answer.body, graphqlResponse ? GRAPHQL_RESPONSE_TYPE : JSON_TYPE);
  return status;
}
