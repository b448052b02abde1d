import { SUBGRAPH_NAMES, type EnvReader, type SubgraphName } from '@credit-gateway/common';

const isSubgraphName = (name: string): name is SubgraphName => (SUBGRAPH_NAMES as readonly string[]).includes(name);

export interface EntityCacheConfig {
  /** ENTITY_CACHE: cache subgraph entity fetches (off by default). */
  enabled: boolean;
  /** CACHE_TTLS: seconds an entry is fresh, per source; a source left out is never cached. */
  ttlSeconds: Partial<Record<SubgraphName, number>>;
  /** CACHE_STALE_SECONDS: how long past its TTL an entry may still answer for a failing source. */
  staleSeconds: number;
  /** CACHE_LRU_ENTRIES / CACHE_LRU_BYTES: bounds of the in-process layer. */
  lruEntries: number;
  lruBytes: number;
  /** CACHE_ENTRY_MAX_BYTES: a larger answer is not cached at all. */
  entryMaxBytes: number;
}

/**
 * Seconds per source. The credit rules are left out: objections and repairs change their answers
 * at once, and nothing evicts on those mutations yet.
 */
export const DEFAULT_CACHE_TTLS = 'market=600,tax=86400,courts=60,social-security=3600,procurement=3600';

export function readEntityCacheConfig(reader: EnvReader): EntityCacheConfig {
  reader = reader.section('entity cache');
  const ttlSeconds: Partial<Record<SubgraphName, number>> = {};
  for (const item of reader.list('CACHE_TTLS', DEFAULT_CACHE_TTLS.split(','), {
    text: 'Seconds an entry is fresh, per source; a source left out is never cached, so the credit rules are always fresh',
    values: `\`source=seconds\`, comma-separated, of ${SUBGRAPH_NAMES.join(', ')}`,
  })) {
    const [name, seconds] = item.split('=').map((part) => part.trim());
    const value = Number(seconds);
    if (!name || !isSubgraphName(name) || !Number.isInteger(value) || value < 1) {
      reader.problem(`CACHE_TTLS: '${item}' is not <source>=<seconds> with a source of ${SUBGRAPH_NAMES.join(', ')}`);
      continue;
    }
    ttlSeconds[name] = value;
  }
  return {
    enabled: reader.bool(
      'ENTITY_CACHE',
      false,
      'Keep what the subgraphs answer for each entity, in memory and in CACHE_REDIS_URL',
    ),
    ttlSeconds,
    staleSeconds: reader.int(
      'CACHE_STALE_SECONDS',
      86_400,
      { min: 0, max: 30 * 86_400 },
      'How long past its TTL an entry may still answer for a failing source',
    ),
    lruEntries: reader.int(
      'CACHE_LRU_ENTRIES',
      50_000,
      { min: 1, max: 10_000_000 },
      'Most entries of the in-process layer',
    ),
    lruBytes: reader.int(
      'CACHE_LRU_BYTES',
      64 * 1024 * 1024,
      { min: 1024, max: 8 * 1024 * 1024 * 1024 },
      'Most bytes of the in-process layer',
    ),
    entryMaxBytes: reader.int(
      'CACHE_ENTRY_MAX_BYTES',
      256 * 1024,
      { min: 256, max: 64 * 1024 * 1024 },
      'A larger answer is not cached at all',
    ),
  };
}
