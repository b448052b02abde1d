import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a request body up to `limit` bytes; a larger body is refused, never buffered whole. */
export async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyError(413, `Request body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyError(413, `Request body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Deepest JSON nesting a request body may have. GraphQL variables and federation representations
 * nest a dozen levels at most; whatever walks a parsed value recursively later stays far from the
 * stack's end.
 */
export const MAX_JSON_NESTING = 64;

/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`, found without parsing it and
 * without recursion, so that no nesting can exhaust the stack. Text that is not JSON is measured
 * all the same: the parser refuses it afterwards.
 */
export function exceedsJsonNesting(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index++;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b || char === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (char === 0x5d || char === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** Parses JSON text from a client, refusing deep nesting before parsing, with a 400 either way. */
export function parseJsonInput(text: string, what: string, maxDepth = MAX_JSON_NESTING): unknown {
  if (exceedsJsonNesting(text, maxDepth)) {
    throw new BodyError(400, `${what} nests deeper than ${maxDepth} levels`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BodyError(400, `${what} is not valid JSON`);
  }
}

export async function readJsonBody(
  request: IncomingMessage,
  limit: number,
  maxDepth = MAX_JSON_NESTING,
): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!type.includes('application/json') && !type.includes('application/graphql-response+json')) {
    throw new BodyError(415, 'Content-Type must be application/json');
  }
  const text = await readBody(request, limit);
  if (exceedsJsonNesting(text, maxDepth)) {
    throw new BodyError(400, `Request body nests deeper than ${maxDepth} levels`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BodyError(400, 'Request body is not valid JSON');
  }
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json; charset=utf-8',
): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) });
  response.end(payload);
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on `port` (0 picks a free one) and returns a handle that closes every open connection. */
export async function listen(handler: RequestListener, port: number, host = '127.0.0.1'): Promise<RunningServer> {
  // Lenders send up to 500 consents in one header, and the gateway forwards what they grant.
  const server = createServer({ keepAliveTimeout: 65_000, maxHeaderSize: 512 * 1024 }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
