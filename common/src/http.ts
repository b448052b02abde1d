import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from './errors.js';

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 408 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How long a client may take to send its body. A body trickled a byte at a time would otherwise
 * keep its request (and whatever it holds) waiting for as long as the client likes.
 */
export interface BodyPace {
  /** The whole body must have arrived this long after reading began. */
  timeoutMs: number;
  /** After the first second, at least this many bytes a second on average; 0 checks no rate. */
  minBytesPerSecond: number;
}

/** The grace before the data rate is checked: a body's first bytes may take a round trip or two. */
const RATE_GRACE_MS = 1_000;

/** Why a body still arriving after `elapsedMs` with `received` bytes is too slow, or null. */
export function bodyTooSlow(received: number, elapsedMs: number, pace: BodyPace): string | null {
  if (elapsedMs >= pace.timeoutMs) return `The request body did not arrive within ${pace.timeoutMs} ms`;
  if (pace.minBytesPerSecond > 0 && elapsedMs > RATE_GRACE_MS) {
    if (received < (pace.minBytesPerSecond * (elapsedMs - RATE_GRACE_MS)) / 1000) {
      return `The request body arrived slower than ${pace.minBytesPerSecond} bytes a second`;
    }
  }
  return null;
}

/**
 * Where a body's bytes are accounted while they are held in memory: `reserve` takes `bytes` more,
 * or answers why it may not (the error the read is refused with); `unfit`, why a body of `bytes`
 * could never be held, even alone.
 */
export interface BodyAllowance {
  reserve(bytes: number): Error | null;
  unfit?(bytes: number): Error | null;
}

/** How a body is read, beyond its size limit. */
export interface BodyReadOptions {
  /** How fast the body must arrive; none is checked without it. */
  pace?: BodyPace | undefined;
  /** The budget the body's bytes are held against; none without it. */
  allowance?: BodyAllowance | undefined;
}

/**
 * Reads a request body up to `limit` bytes; a larger body is refused, never buffered whole. With a
 * `pace`, a body that arrives too slowly is refused with 408 and its request is no longer read.
 * With an `allowance`, each chunk is reserved as it arrives, so what a body holds is what is in
 * memory, never what it announces; a declared length the allowance could never hold is refused
 * before a byte is read. A chunk the allowance refuses is not kept: the read is refused with the
 * allowance's error, and the rest of the body is dropped as it arrives.
 */
export async function readBody(
  request: IncomingMessage,
  limit: number,
  options: BodyReadOptions = {},
): Promise<string> {
  return (await readBodyBytes(request, limit, options)).toString('utf8');
}

/** As readBody, the bytes themselves: an uploaded document. */
export async function readBodyBytes(
  request: IncomingMessage,
  limit: number,
  { pace, allowance }: BodyReadOptions = {},
): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyError(413, `Request body is larger than ${limit} bytes`);
  const unfit = Number.isFinite(declared) && declared > 0 ? allowance?.unfit?.(declared) : null;
  if (unfit) throw unfit;
  const chunks: Buffer[] = [];
  let size = 0;
  const started = performance.now();
  return new Promise<Buffer>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: Error | null, drop = false) => {
      if (settled) return;
      settled = true;
      if (check) clearInterval(check);
      request.off('data', onData).off('end', onEnd).off('error', onClose).off('close', onClose);
      if (outcome === null) return resolve(Buffer.concat(chunks));
      chunks.length = 0;
      // A body the allowance refused is dropped as it arrives, unkept, so that the client reads the
      // 429; any other is no longer read: the connection is closed with the answer.
      if (drop) request.resume();
      else request.pause();
      reject(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return settle(new BodyError(413, `Request body is larger than ${limit} bytes`));
      const refused = allowance?.reserve(chunk.length) ?? null;
      if (refused) settle(refused, true);
      else chunks.push(chunk);
    };
    const onEnd = () => settle(null);
    // The client's doing, not the server's: a refusal like any other, never an unexpected error.
    const onClose = () => settle(new BodyError(400, 'The client closed the connection before its body arrived'));
    // Checked a few times a second rather than per chunk: a stalled body sends no chunk to check on.
    const check = pace
      ? setInterval(
          () => {
            const reason = bodyTooSlow(size, performance.now() - started, pace);
            if (reason) settle(new BodyError(408, reason));
          },
          Math.min(250, pace.timeoutMs),
        )
      : undefined;
    request.on('data', onData).once('end', onEnd).once('error', onClose).once('close', onClose);
  });
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
  options: BodyReadOptions = {},
  maxDepth = MAX_JSON_NESTING,
): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!type.includes('application/json') && !type.includes('application/graphql-response+json')) {
    throw new BodyError(415, 'Content-Type must be application/json');
  }
  const text = await readBody(request, limit, options);
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
  /**
   * Stops accepting connections. With a `graceMs`, requests in flight are finished first, for at
   * most that long; then, or at once without one, every connection is closed.
   */
  close(graceMs?: number): Promise<void>;
}

/** A server `listen` opened: it can also be drained before it is closed. */
export interface ListeningServer extends RunningServer {
  /**
   * From now on every answer, including those in flight not yet sent, says `connection: close`
   * and closes its connection once sent: a keep-alive client (a load balancer) opens its next
   * connection elsewhere instead of reusing one this server is about to close. Requests are still
   * served. `close` drains too.
   */
  drain(): void;
  /** Client connections open now, as counted against `ConnectionLimits`, and those closed to keep to them. */
  connections(): ConnectionReport;
}

/** Node's own limits on a connection, set here rather than left at Node's defaults (300 s a request). */
export interface ServerTimeouts {
  /** Every header of a request has arrived within this (Node's headersTimeout). */
  headersTimeoutMs: number;
  /** The whole request, headers and body, within this (Node's requestTimeout); a bare 408 past it. */
  requestTimeoutMs: number;
  /**
   * An idle keep-alive connection is closed after this. Above the 60 s idle timeout of most load
   * balancers, so that the balancer, not the server, closes first and never sends on a closed one.
   */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
};

/**
 * How long a connection refused mid-request is still read, and what arrives dropped, before it is
 * closed. Closed at once, a client still sending its body would meet a reset and never read the
 * answer that explains it (nginx's lingering close does the same).
 */
const LINGER_MS = 2_000;

/** Answers (when `answer` is given), then reads and drops what the client still sends, then closes. */
function closeLingering(socket: Duplex, answer?: string): void {
  if (lingering.has(socket)) return;
  lingering.add(socket);
  const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  socket.once('close', () => clearTimeout(timer));
  socket.once('end', () => socket.destroy());
  if (answer === undefined) socket.end();
  else socket.end(answer);
}

const lingering = new WeakSet<Duplex>();
/** Sockets already refused: the parser may report each further chunk as another error. */
const refused = new WeakSet<Duplex>();

/**
 * What Node answers itself, before any handler runs (headers too large, a request it cannot parse,
 * headers too slow), said as every other refusal is: JSON with a code. The connection is closed, since
 * what follows on it cannot be read.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (refused.has(socket)) return;
  refused.add(socket);
  // From here on nothing on this connection is parsed: what still arrives is dropped.
  socket.removeAllListeners('data');
  socket.on('data', () => {});
  socket.resume();
  // The bytes after a request that is still being answered (a body sent without a length, say):
  // that answer goes out whole, then the connection closes.
  const pending = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  // A body cut off here (the client closed its side mid-body, say) can never arrive whole: its
  // reader hears so now, and gives back what it held, rather than waiting out BODY_TIMEOUT_MS.
  if (pending && !pending.req.complete) pending.req.destroy();
  if (pending && !pending.writableFinished) {
    pending.shouldKeepAlive = false;
    // Node ends a connection that is not kept alive with destroySoon once the answer is out, which
    // resets a client still sending: it lingers instead.
    (socket as Duplex & { destroySoon?: () => void }).destroySoon = () => closeLingering(socket);
    pending.once('finish', () => closeLingering(socket));
    return;
  }
  if (pending || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'The request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'The request did not arrive in time']
        : [400, 'Bad Request', 'The request is not valid HTTP'];
  const code: ErrorCode = status === 408 ? 'REQUEST_TIMEOUT' : 'BAD_REQUEST';
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  const answer =
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
  // A client too slow to send its headers is not waited for any longer.
  if (status === 408) socket.end(answer, () => socket.destroy());
  else closeLingering(socket, answer);
}

/**
 * How many client connections a server keeps open at once. Each holds a socket, its buffers and up
 * to a whole header block while its request arrives, so a client opening thousands would hold
 * memory no request budget sees.
 */
export interface ConnectionLimits {
  /**
   * In all. A new connection past it makes room by closing the connection idle the longest (kept
   * alive between requests); only when none is idle is the new one closed at once. From 90% of it
   * on, answers close their connection rather than keep it alive. 0 is no limit.
   */
  maxConnections: number;
  /**
   * From one TCP peer address: past it a new connection is answered 429 and closed. 0 is no limit.
   * Counted when the connection opens, before any header is read, so never by X-Forwarded-For:
   * behind a proxy every connection is the proxy's.
   */
  maxConnectionsPerAddress: number;
}

/** The share of `maxConnections` from which answers close their connection instead of keeping it. */
const CONNECTION_PRESSURE = 0.9;

/** The answer to a connection over its address's share, sent before its request is read. */
function connectionRefusal(limit: number): string {
  const code: ErrorCode = 'RATE_LIMITED';
  const body = JSON.stringify({
    errors: [
      {
        message: `This address already has ${limit} connections open to the gateway; reuse one or retry shortly`,
        extensions: { code, scope: 'address-connections', limit, retryAfterSeconds: 1 },
      },
    ],
  });
  return (
    `HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json; charset=utf-8\r\nretry-after: 1\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  );
}

/** A server's client connections: open now, and, since it started, those closed to keep to its limits. */
export interface ConnectionReport {
  /** Open now, those being closed to make room excepted. */
  open: number;
  /** Idle keep-alive connections closed to make room for a new one at `maxConnections`. */
  idleClosed: number;
  /** New connections closed unanswered at `maxConnections`, none being idle. */
  refused: number;
  /** New connections answered 429 past `maxConnectionsPerAddress`. */
  addressRefused: number;
}

/** The open connections of a server, counted in all and per address, and which of them are idle. */
interface ConnectionTracker {
  report(): ConnectionReport;
  /** Whether answers should close their connection, the server being near its cap. */
  readonly pressed: boolean;
}

/**
 * Counts each connection from when it opens until it closes, in all and per address. A new one past
 * its address's share is answered 429 and closed; past the cap in all, the connection idle the
 * longest is closed to make room for it, or, none being idle, the new one is closed at once. Node's
 * own maxConnections would close it before any handler could make room.
 */
function trackConnections(server: ReturnType<typeof createServer>, limits: ConnectionLimits): ConnectionTracker {
  const { maxConnections, maxConnectionsPerAddress } = limits;
  // Each open connection, with its address.
  const open = new Map<Socket, string>();
  const perAddress = new Map<string, number>();
  // Connections with no request in progress, the longest idle first; each with the bytes it had
  // read when its last answer went out, so that one whose next request has begun to arrive is not
  // taken for idle.
  const idle = new Map<Socket, number>();
  // Answers each connection still owes (more than one when requests are pipelined).
  const owed = new WeakMap<Socket, number>();
  const closed = { idleClosed: 0, refused: 0, addressRefused: 0 };

  const forget = (socket: Socket) => {
    const address = open.get(socket);
    if (address === undefined) return;
    open.delete(socket);
    idle.delete(socket);
    const left = (perAddress.get(address) ?? 1) - 1;
    if (left > 0) perAddress.set(address, left);
    else perAddress.delete(address);
  };
  /** Closes the connection idle the longest; false when none is. */
  const closeIdlest = (): boolean => {
    for (const [socket, bytesRead] of idle) {
      idle.delete(socket);
      if (socket.bytesRead !== bytesRead || socket.destroyed) continue;
      // Its place is free from now, not from when its close is heard.
      forget(socket);
      socket.destroy();
      closed.idleClosed++;
      return true;
    }
    return false;
  };

  // Before the HTTP parser is attached: a refused connection is never parsed.
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = perAddress.get(address) ?? 0;
    if (maxConnectionsPerAddress > 0 && count >= maxConnectionsPerAddress) {
      closed.addressRefused++;
      refused.add(socket);
      socket.on('error', () => {});
      socket.end(connectionRefusal(maxConnectionsPerAddress), () => socket.destroy());
      return;
    }
    if (maxConnections > 0 && open.size >= maxConnections && !closeIdlest()) {
      closed.refused++;
      refused.add(socket);
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    open.set(socket, address);
    perAddress.set(address, count + 1);
    socket.once('close', () => forget(socket));
  });
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    if (!open.has(socket)) return;
    idle.delete(socket);
    owed.set(socket, (owed.get(socket) ?? 0) + 1);
    response.once('close', () => {
      const left = (owed.get(socket) ?? 1) - 1;
      owed.set(socket, left);
      // Kept alive, it waits for its next request from now on: the newest idle, last in line.
      if (left === 0 && open.has(socket) && !socket.destroyed) idle.set(socket, socket.bytesRead);
    });
  });
  return {
    report: () => ({ open: open.size, ...closed }),
    get pressed() {
      return maxConnections > 0 && open.size >= maxConnections * CONNECTION_PRESSURE;
    },
  };
}

/** Listens on `port` (0 picks a free one) and returns a handle that closes every open connection. */
export async function listen(
  handler: RequestListener,
  port: number,
  host = '127.0.0.1',
  timeouts: ServerTimeouts = DEFAULT_SERVER_TIMEOUTS,
  connections: ConnectionLimits = { maxConnections: 0, maxConnectionsPerAddress: 0 },
): Promise<ListeningServer> {
  const server = createServer(
    {
      // Lenders send up to 500 consents in one header, and the gateway forwards what they grant.
      maxHeaderSize: 512 * 1024,
      headersTimeout: Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs),
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      // Node checks the two timeouts above this often (30 s by default, far coarser than they are).
      connectionsCheckingInterval: 1_000,
    },
    (request, response) => {
      // A connection turned away before its request has had its answer: nothing more on it is.
      if (refused.has(request.socket)) return void response.destroy();
      handler(request, response);
    },
  );
  server.on('clientError', answerClientError);
  const tracked = trackConnections(server, connections);
  // Answers not sent yet, which a drain makes close their connection. Before the handler, which
  // may answer at once.
  const unsent = new Set<ServerResponse>();
  let draining = false;
  server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
    if (draining) {
      response.shouldKeepAlive = false;
      return;
    }
    // Near the cap, a connection frees its place once answered rather than wait out its keep-alive.
    if (tracked.pressed) response.shouldKeepAlive = false;
    unsent.add(response);
    response.once('close', () => unsent.delete(response));
  });
  const drain = () => {
    if (draining) return;
    draining = true;
    for (const response of unsent) if (!response.headersSent) response.shouldKeepAlive = false;
    unsent.clear();
  };
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
    drain,
    connections: () => tracked.report(),
    close: (graceMs = 0) =>
      new Promise<void>((resolve) => {
        drain();
        if (graceMs <= 0) {
          server.close(() => resolve());
          server.closeAllConnections();
          return;
        }
        // A keep-alive connection becomes idle once its request is answered, and is closed then.
        const idle = setInterval(() => server.closeIdleConnections(), 100);
        const cut = setTimeout(() => {
          clearInterval(idle);
          server.closeAllConnections();
        }, graceMs);
        server.close(() => {
          clearInterval(idle);
          clearTimeout(cut);
          resolve();
        });
      }),
  };
}
