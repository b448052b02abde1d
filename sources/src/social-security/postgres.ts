import pg from 'pg';
import type { SqlValue } from '@credit-gateway/subgraph-social-security/front-db';
import { ensureFrontDbSeeded, type SeedResult, type SqlExecutor } from './seed.js';

/** Any key will do, as long as every seeder of this database uses the same one. */
const SEED_LOCK = 4_004_001;

/**
 * Seeds a PostgreSQL front-end database unless it already holds this population: creates the
 * tables where missing, and reseeds in one transaction when the recorded size or generator
 * version differs. Concurrent seeders wait for each other.
 */
export async function seedPostgres(
  url: string,
  options: { population: number; batchRows: number },
): Promise<{ reseeded: false } | ({ reseeded: true } & SeedResult)> {
  const client = new pg.Client({ connectionString: url, application_name: 'social-security-seed' });
  await client.connect();
  try {
    const executor: SqlExecutor = {
      async execute(sql, params = []) {
        return (await client.query<Record<string, unknown>>(sql, params as SqlValue[])).rows;
      },
    };
    await client.query('SELECT pg_advisory_lock($1)', [SEED_LOCK]);
    return await ensureFrontDbSeeded(executor, { populationSize: options.population, batchRows: options.batchRows });
  } finally {
    await client.end();
  }
}
