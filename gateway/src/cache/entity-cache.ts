import { createHash } from 'node:crypto';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { hashTag, type RedisClient, type RedisKeyCommand, type RedisKeyspace } from '../redis/provider.js';
import {
  Kind,
  OperationTypeNode,
  parse,
  visit,
  type DocumentNode,
  type GraphQLFormattedError,
  type TypeNode,
} from 'graphql';
import {
  LruCache,
  normalizeCreditCode,
  parseCreditCode,
  parseIdNumber,
  type AccessRule,
  type CreditCodePolicy,
  type Logger,
  type SubgraphName,
  type Tier,
} from '@credit-gateway/common';
import type { EntityCacheConfig } from './config.js';

/** One subgraph `_entities` fetch, as the data source sees it. */
export interface EntityFetch {
  subgraph: SubgraphName;
  query: string;
  variables: Record<string, unknown>;
  tier: Tier;
  /** Sources answered from stale entries during this request. */
  staleSources?: Set<SubgraphName>;
}

export interface EntityCacheMetrics {
  hits: number;
  misses: number;
  staleServed: number;
  bypassed: number;
  evictions: number;
  redisErrors: number;
  /** Answers larger than CACHE_ENTRY_MAX_BYTES, not cached. */
  oversized: number;
  /** Entries not written to Redis because it held CACHE_REDIS_MAX_BYTES or more. */
  redisFull: number;
}

/** An entry as stored in both layers: when it was fetched and the entity's JSON. */
interface Entry {
  t: number;
  v: string;
  /** Entity id and source, so evictions can find in-process entries. */
  eid: string;
  source: SubgraphName;
  /** A root field's answer: the entities it holds. */
  eids?: readonly string[];
}

/** What a publisher sends on CACHE_EVICT_CHANNEL. */
export type Eviction = { typename: string; key: Record<string, unknown> } | { source: SubgraphName };

interface Shape {
  /** A query (never a mutation). */
  query: boolean;
  /** An `_entities` fetch; otherwise the fetch of a root field, cached as a whole. */
  entities: boolean;
  /** The selection holds a consent-protected field: its answer depends on the caller's consents. */
  consent: boolean;
  hash: string;
  /** Variables whose type is (a list of) CreditCode or IdNumber: normalized before keying. */
  identifiers: ReadonlyMap<string, 'CreditCode' | 'IdNumber'>;
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** Entity id: typename and key fields, hashed so it is safe inside a Redis key. */
export function entityId(typename: string, key: Record<string, unknown>): string {
  return createHash('sha256').update(typename).update('\0').update(canonical(key)).digest('hex').slice(0, 32);
}

/** Entity type → key fields, from a supergraph's `@join__type(key:)`; only flat keys (`code`). */
export function entityKeyFields(supergraph: DocumentNode): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const definition of supergraph.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION || keys.has(definition.name.value)) continue;
    for (const directive of definition.directives ?? []) {
      const key = directive.arguments?.find((argument) => argument.name.value === 'key')?.value;
      if (directive.name.value !== 'join__type' || key?.kind !== Kind.STRING) continue;
      const fields = key.value.trim().split(/\s+/);
      if (fields.every((field) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(field))) {
        keys.set(definition.name.value, fields);
        break;
      }
    }
  }
  return keys;
}

function representationId(representation: unknown): string | undefined {
  if (representation === null || typeof representation !== 'object') return undefined;
  const { __typename: typename, ...key } = representation as Record<string, unknown>;
  return typeof typename === 'string' ? entityId(typename, key) : undefined;
}

function isSourceError(error: GraphQLFormattedError): boolean {
  const code = error.extensions?.['code'];
  return typeof code === 'string' && code.startsWith('SOURCE_');
}

function isSourceFailure(response: GatewayGraphQLResponse): boolean {
  return (response.errors ?? []).some(isSourceError);
}

/**
 * Subgraph entity data in two layers, an in-process LRU and Redis shared by replicas.
 *
 * Safety across callers: entries are keyed by the caller's tier as well as the entity and the
 * fetch's selection (the tier filter already shaped that selection, and some resolvers answer by
 * tier), and a selection holding a consent-protected field is never cached for AUTHORIZED callers,
 * the only tier whose answer depends on consents. Masking runs after, on every response.
 */
export class EntityCache {
  readonly metrics: EntityCacheMetrics = {
    hits: 0,
    misses: 0,
    staleServed: 0,
    bypassed: 0,
    evictions: 0,
    redisErrors: 0,
    oversized: 0,
    redisFull: 0,
  };
  /** Memory in use on the cache's Redis, looked at most once a second, before writing. */
  private redisMemory: { checkedAt: number; full: boolean; checking?: Promise<boolean> } = {
    checkedAt: -Infinity,
    full: false,
  };
  private readonly lru = new Map<string, Entry>();
  private lruBytes = 0;
  private readonly shapes = new LruCache<string, Shape>(2_000);
  private readonly consentFields: ReadonlySet<string>;
  /** The keyspace's client; none without a cache Redis, when the in-process layer is all there is. */
  private readonly redis: RedisClient | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly config: EntityCacheConfig,
    /** The provider's `entities` keyspace: the layer shared by replicas, and evictions. */
    private readonly keyspace: RedisKeyspace,
    rules: ReadonlyMap<string, AccessRule>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    /** Entity type → its key fields, from the supergraph's @join__type(key:). */
    private readonly keyFields: ReadonlyMap<string, readonly string[]> = new Map(),
    /** Pilot-era credit codes accepted as valid; without it, codes are normalized only. */
    private readonly creditCodePolicy?: CreditCodePolicy,
  ) {
    // By field name alone: a subgraph fetch names no parent types, so this errs on the safe side.
    this.consentFields = new Set(
      [...rules].filter(([, rule]) => rule.consent).map(([coordinate]) => coordinate.split('.')[1]!),
    );
    this.redis = keyspace.client();
    // Every replica's evictions, this one's included; within the process alone without Redis.
    this.unsubscribe = keyspace.subscribe((message) => this.onEviction(message));
  }

  /** Answers an `_entities` fetch from the cache where it can, sending only the misses. */
  async fetch(
    request: EntityFetch,
    send: (representations: unknown[] | undefined) => Promise<GatewayGraphQLResponse>,
  ): Promise<GatewayGraphQLResponse> {
    const ttl = this.config.ttlSeconds[request.subgraph];
    const representations: unknown = request.variables['representations'];
    const shape = this.shapeOf(request.query);
    if (ttl === undefined || !shape.query || (shape.consent && request.tier === 'AUTHORIZED')) {
      this.metrics.bypassed++;
      return send(undefined);
    }
    if (!shape.entities) return this.fetchRoot(request, shape, ttl, () => send(undefined));
    if (!Array.isArray(representations)) {
      this.metrics.bypassed++;
      return send(undefined);
    }
    const variables = this.keyVariables({ ...request.variables, representations: null }, shape);
    if (variables === null) {
      this.metrics.bypassed++;
      return send(undefined);
    }
    const variablesHash = createHash('sha256').update(canonical(variables)).digest('hex').slice(0, 16);
    const scope = `${request.tier}:${shape.hash}:${variablesHash}`;
    const ids = representations.map(representationId);
    const keys = ids.map((eid) => (eid ? this.keyspace.key(request.subgraph, hashTag(eid), scope) : undefined));
    const entries = await this.read(keys);
    const now = this.now();
    const freshUntil = (entry: Entry | undefined) => (entry ? entry.t + ttl * 1000 : 0);
    const missing = keys.flatMap((_, index) => (freshUntil(entries[index]) > now ? [] : [index]));
    this.metrics.hits += keys.length - missing.length;
    this.metrics.misses += missing.length;
    const merged: unknown[] = entries.map((entry) => (entry ? (JSON.parse(entry.v) as unknown) : null));
    if (missing.length === 0) return { data: { _entities: merged } };

    const response = await send(missing.map((index): unknown => representations[index]));
    const fetched = (response.data as { _entities?: unknown } | null | undefined)?._entities;
    const staleLimit = (ttl + this.config.staleSeconds) * 1000;
    const hasStale = (index: number) => {
      const entry = entries[index];
      return entry !== undefined && entry.t + staleLimit > now;
    };
    if (!Array.isArray(fetched) || fetched.length !== missing.length) {
      if (isSourceFailure(response) && missing.every(hasStale)) {
        this.metrics.staleServed += missing.length;
        request.staleSources?.add(request.subgraph);
        return { data: { _entities: merged } };
      }
      return response;
    }
    // A department that failed for some entities: their last entries answer instead, marked stale.
    const staleUsed = new Set<number>();
    for (const error of response.errors ?? []) {
      const position = error.path?.[0] === '_entities' ? error.path[1] : undefined;
      if (
        typeof position === 'number' &&
        missing[position] !== undefined &&
        isSourceError(error) &&
        hasStale(missing[position])
      )
        staleUsed.add(position);
    }
    if (staleUsed.size > 0) {
      this.metrics.staleServed += staleUsed.size;
      request.staleSources?.add(request.subgraph);
    }
    // Errors of the partial fetch point at its own indexes; give them the caller's.
    const tainted = new Set<number>();
    let unplaced = false;
    const errors = response.errors?.flatMap((error): GraphQLFormattedError[] => {
      const path = error.path;
      if (path?.[0] === '_entities' && typeof path[1] === 'number' && missing[path[1]] !== undefined) {
        if (staleUsed.has(path[1])) return [];
        tainted.add(path[1]);
        return [{ ...error, path: ['_entities', missing[path[1]]!, ...path.slice(2)] }];
      }
      unplaced = true;
      return [error];
    });
    const writes: [string, Entry][] = [];
    fetched.forEach((entity, position) => {
      if (staleUsed.has(position)) return;
      const index = missing[position]!;
      merged[index] = entity;
      const key = keys[index];
      const eid = ids[index];
      if (unplaced || tainted.has(position) || entity === null || !key || !eid) return;
      writes.push([key, { t: now, v: JSON.stringify(entity), eid, source: request.subgraph }]);
    });
    this.write(writes, ttl);
    return {
      ...response,
      data: { ...response.data, _entities: merged },
      ...(errors?.length ? { errors } : { errors: undefined }),
    };
  }

  /**
   * A root field's fetch (`enterprise(code:)`, say), cached whole per tier, selection and
   * variables. Only clean answers are kept; evictions find it by source and by every entity in it.
   */
  private async fetchRoot(
    request: EntityFetch,
    shape: Shape,
    ttl: number,
    send: () => Promise<GatewayGraphQLResponse>,
  ): Promise<GatewayGraphQLResponse> {
    const variables = this.keyVariables(request.variables, shape);
    if (variables === null) {
      this.metrics.bypassed++;
      return send();
    }
    const variablesHash = createHash('sha256').update(canonical(variables)).digest('hex').slice(0, 16);
    const scope = `root:${request.tier}:${shape.hash}:${variablesHash}`;
    const key = this.keyspace.key(request.subgraph, hashTag(scope));
    const [entry] = await this.read([key]);
    const now = this.now();
    if (entry && entry.t + ttl * 1000 > now) {
      this.metrics.hits++;
      return { data: JSON.parse(entry.v) as Record<string, unknown> };
    }
    this.metrics.misses++;
    const response = await send();
    if (isSourceFailure(response) && entry && entry.t + (ttl + this.config.staleSeconds) * 1000 > now) {
      this.metrics.staleServed++;
      request.staleSources?.add(request.subgraph);
      return { data: JSON.parse(entry.v) as Record<string, unknown> };
    }
    if (response.data && !response.errors?.length) {
      const eids = this.entitiesIn(response.data);
      this.write(
        [[key, { t: now, v: JSON.stringify(response.data), eid: scope, source: request.subgraph, eids }]],
        ttl,
      );
    }
    return response;
  }

  /**
   * The variables a key is built from: credit codes and ID numbers as their scalars read them
   * (trimmed, NFKC, upper case; a 15-digit ID number upgraded), so that padding and letter case
   * reuse one entry. A list keeps its order, since the answer is a list in that order: sorting
   * the key would answer one caller in another's order. Null for a value the parser refuses
   * (the request was already validated, so this is never expected): such a fetch is not cached.
   */
  private keyVariables(variables: Record<string, unknown>, shape: Shape): Record<string, unknown> | null {
    if (shape.identifiers.size === 0) return variables;
    const normalize = (scalar: 'CreditCode' | 'IdNumber', value: unknown): unknown => {
      if (Array.isArray(value)) return value.map((item) => normalize(scalar, item));
      if (typeof value !== 'string') return value;
      if (scalar === 'IdNumber') return parseIdNumber(value);
      return this.creditCodePolicy ? parseCreditCode(value, this.creditCodePolicy) : normalizeCreditCode(value);
    };
    try {
      const normalized = { ...variables };
      for (const [name, scalar] of shape.identifiers) {
        if (name in normalized) normalized[name] = normalize(scalar, normalized[name]);
      }
      return normalized;
    } catch {
      return null;
    }
  }

  /** Ids of the entities (objects with a __typename and their key fields) in an answer. */
  private entitiesIn(data: unknown): string[] {
    const found = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(walk);
      if (value === null || typeof value !== 'object') return;
      const object = value as Record<string, unknown>;
      const fields = typeof object['__typename'] === 'string' ? this.keyFields.get(object['__typename']) : undefined;
      if (fields && fields.every((field) => field in object))
        found.add(entityId(object['__typename'] as string, Object.fromEntries(fields.map((f) => [f, object[f]]))));
      for (const child of Object.values(object)) walk(child);
    };
    walk(data);
    return [...found];
  }

  /** Publishes an eviction to every replica, this one included. */
  publish(eviction: Eviction): Promise<void> {
    return this.keyspace.publish(JSON.stringify(eviction));
  }

  /** Stops listening for evictions; the provider owns and closes the connections. */
  close(): Promise<void> {
    this.unsubscribe();
    return Promise.resolve();
  }

  private shapeOf(query: string): Shape {
    let shape = this.shapes.get(query);
    if (shape) return shape;
    let consent = false;
    let entities = false;
    let query_ = false;
    const identifiers = new Map<string, 'CreditCode' | 'IdNumber'>();
    try {
      visit(parse(query), {
        OperationDefinition: (node) => {
          query_ = node.operation === OperationTypeNode.QUERY;
        },
        VariableDefinition: (node) => {
          const type = namedType(node.type);
          if (type === 'CreditCode' || type === 'IdNumber') identifiers.set(node.variable.name.value, type);
        },
        Field: (node) => {
          if (node.name.value === '_entities') entities = true;
          if (this.consentFields.has(node.name.value)) consent = true;
        },
      });
    } catch {
      entities = false;
    }
    shape = {
      query: query_,
      entities,
      consent,
      hash: createHash('sha256').update(query).digest('hex').slice(0, 16),
      identifiers,
    };
    this.shapes.set(query, shape);
    return shape;
  }

  private async read(keys: (string | undefined)[]): Promise<(Entry | undefined)[]> {
    const entries = keys.map((key) => (key ? this.lruGet(key) : undefined));
    const absent = keys.flatMap((key, index) => (key && !entries[index] ? [index] : []));
    if (!this.redis || absent.length === 0) return entries;
    // One GET per key: entities sit in different Cluster slots, which MGET refuses.
    const replies = await this.keyspace.pipeline(absent.map((index): RedisKeyCommand => ['get', keys[index]!]));
    const failed = replies.find(([error]) => error !== null);
    if (failed) this.redisFailed(failed[0]);
    replies.forEach(([error, value], position) => {
      if (error || typeof value !== 'string') return;
      const index = absent[position]!;
      const stored = JSON.parse(value) as { t: number; v: string; e?: string[] };
      const key = keys[index]!;
      const entry: Entry = {
        t: stored.t,
        v: stored.v,
        ...(stored.e ? { eids: stored.e } : {}),
        eid: key.slice(key.indexOf('{') + 1, key.indexOf('}')),
        source: sourceOf(key, this.keyspace.prefix),
      };
      entries[index] = entry;
      this.lruSet(key, entry);
    });
    return entries;
  }

  private write(given: [string, Entry][], ttl: number): void {
    const writes = given.filter(([, entry]) => {
      if (Buffer.byteLength(entry.v) <= this.config.entryMaxBytes) return true;
      this.metrics.oversized++;
      return false;
    });
    for (const [key, entry] of writes) this.lruSet(key, entry);
    if (!this.redis || writes.length === 0) return;
    void this.writeRedis(writes, ttl);
  }

  /** Writes entries to Redis unless it already holds CACHE_REDIS_MAX_BYTES. */
  private async writeRedis(writes: [string, Entry][], ttl: number): Promise<void> {
    if (await this.redisIsFull()) {
      this.metrics.redisFull += writes.length;
      return;
    }
    // Kept past the TTL so a failing source can still be answered, stale and marked.
    const keepMs = (ttl + this.config.staleSeconds) * 1000;
    const commands: RedisKeyCommand[] = [];
    for (const [key, entry] of writes) {
      commands.push([
        'set',
        key,
        JSON.stringify({ t: entry.t, v: entry.v, ...(entry.eids ? { e: entry.eids } : {}) }),
        'PX',
        keepMs,
      ]);
      // An entity's index shares its entries' slot; a root answer's entry has a slot of its own.
      for (const eid of entry.eids ?? [entry.eid]) {
        const index = this.keyspace.key('idx', hashTag(eid));
        commands.push(['sadd', index, key], ['pexpire', index, keepMs]);
      }
    }
    const failed = (await this.keyspace.pipeline(commands)).find(([error]) => error !== null);
    if (failed) this.redisFailed(failed[0]);
  }

  /**
   * Whether the cache's Redis holds CACHE_REDIS_MAX_BYTES or more (`INFO memory`, at most once a
   * second; every master of a Cluster summed). Between looks, writes of at most one second can
   * overshoot, each entry at most CACHE_ENTRY_MAX_BYTES. A Redis that does not answer is taken
   * as full: nothing is written blind.
   */
  private redisIsFull(): Promise<boolean> {
    const memory = this.redisMemory;
    if (this.now() - memory.checkedAt < 1_000) return Promise.resolve(memory.full);
    memory.checking ??= (async () => {
      try {
        memory.full = (await this.keyspace.usedMemory()) >= (this.keyspace.maxBytes ?? Infinity);
      } catch (error) {
        this.redisFailed(error);
        memory.full = true;
      }
      memory.checkedAt = this.now();
      memory.checking = undefined;
      return memory.full;
    })();
    return memory.checking;
  }

  private lruGet(key: string): Entry | undefined {
    const entry = this.lru.get(key);
    if (entry) {
      this.lru.delete(key);
      this.lru.set(key, entry);
    }
    return entry;
  }

  private lruSet(key: string, entry: Entry): void {
    this.lruDelete(key);
    this.lru.set(key, entry);
    this.lruBytes += entrySize(key, entry);
    while (this.lru.size > this.config.lruEntries || this.lruBytes > this.config.lruBytes) {
      const oldest = this.lru.keys().next();
      if (oldest.done) break;
      this.lruDelete(oldest.value);
    }
  }

  private lruDelete(key: string): void {
    const entry = this.lru.get(key);
    if (!entry) return;
    this.lru.delete(key);
    this.lruBytes -= entrySize(key, entry);
  }

  private async onEviction(message: string): Promise<void> {
    let eviction: Eviction;
    try {
      eviction = JSON.parse(message) as Eviction;
    } catch {
      this.logger.warn('entity cache: ignored an eviction that is not JSON');
      return;
    }
    const eid =
      'typename' in eviction &&
      typeof eviction.typename === 'string' &&
      eviction.key &&
      typeof eviction.key === 'object'
        ? entityId(eviction.typename, eviction.key)
        : undefined;
    const source = 'source' in eviction && typeof eviction.source === 'string' ? eviction.source : undefined;
    if (!eid && !source) {
      this.logger.warn('entity cache: ignored an eviction naming neither an entity nor a source');
      return;
    }
    for (const [key, entry] of [...this.lru])
      if (entry.eid === eid || entry.source === source || (eid && entry.eids?.includes(eid))) this.lruDelete(key);
    try {
      if (this.redis && eid) {
        const index = this.keyspace.key('idx', hashTag(eid));
        const members = await this.redis.smembers(index);
        // One key per DEL: a root answer's entry is not in its entities' slot.
        const replies = await this.keyspace.pipeline([index, ...members].map((key): RedisKeyCommand => ['del', key]));
        const failed = replies.find(([error]) => error !== null)?.[0];
        if (failed) throw failed;
      }
      if (this.redis && source) await this.deleteSource(this.redis, source);
    } catch (error) {
      this.redisFailed(error);
    }
    this.metrics.evictions++;
  }

  private async deleteSource(redis: RedisClient, source: string): Promise<void> {
    // One key per command: in a Cluster the keys of one batch sit in different slots.
    for await (const key of this.keyspace.scan(`${source}:`)) await redis.unlink(key);
  }

  private redisFailed(error: unknown): void {
    if (this.metrics.redisErrors++ === 0)
      this.logger.warn({ err: error }, 'entity cache: Redis unavailable, using memory');
  }
}

/** Bytes an entry holds: V8 keeps text with Chinese characters at two bytes a character. */
function entrySize(key: string, entry: Entry): number {
  return 2 * (entry.v.length + key.length);
}

function sourceOf(key: string, prefix: string): SubgraphName {
  return key.slice(prefix.length, key.indexOf(':{')) as SubgraphName;
}
