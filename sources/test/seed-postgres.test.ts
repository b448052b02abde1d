import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema } from '../../common/test/support/postgres-schema.js';
import { frontDbRows, population, seedPostgres } from '../src/index.js';

/** What the seed should have written for a population, counted from the generator itself. */
function expected(size: number) {
  let subjects = 0;
  let units = 0;
  let contributions = 0;
  let listings = 0;
  for (const code of population(size)) {
    subjects++;
    const rows = frontDbRows(code);
    if (!rows) continue;
    units++;
    contributions += rows.contributions.length;
    listings += rows.listings.length;
  }
  return { subjects, units, contributions, listings };
}

describe('seeding a PostgreSQL front-end database', () => {
  let test: Awaited<ReturnType<typeof createTestSchema>>;

  beforeAll(async () => {
    test = await createTestSchema();
  });

  afterAll(async () => {
    await test?.drop();
  });

  async function counts() {
    const { rows } = await test.admin.query<{ units: string; contributions: string; listings: string; size: string }>(
      `SELECT (SELECT count(*) FROM sb_dwcbxx) AS units, (SELECT count(*) FROM sb_jfmx) AS contributions,
              (SELECT count(*) FROM sb_tqgzmd) AS listings,
              (SELECT meta_value FROM qzk_seed_meta WHERE meta_key = 'population_size') AS size`,
    );
    return rows[0];
  }

  it('creates the tables and their keys, and seeds in partial batches', async () => {
    // 7 rows per INSERT leaves a short last batch in every table.
    const result = await seedPostgres(test.url(), { population: 300, batchRows: 7 });
    expect(result).toEqual({ reseeded: true, ...expected(300) });
    const { units, contributions, listings } = expected(300);
    expect(await counts()).toEqual({
      units: String(units),
      contributions: String(contributions),
      listings: String(listings),
      size: '300',
    });
    const { rows } = await test.admin.query<{ indexname: string }>(
      'SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname',
      [test.schema],
    );
    expect(rows.map((row) => row.indexname)).toEqual([
      'qzk_seed_meta_pkey',
      'sb_dwcbxx_tyshxydm',
      'sb_jfmx_tyshxydm_fkssq',
      'sb_tqgzmd_jlbh',
      'sb_tqgzmd_tyshxydm',
    ]);
  });

  it('leaves a database that holds the population alone', async () => {
    expect(await seedPostgres(test.url(), { population: 300, batchRows: 500 })).toEqual({ reseeded: false });
  });

  it('reseeds when the population size differs', async () => {
    expect(await seedPostgres(test.url(), { population: 120, batchRows: 500 })).toEqual({
      reseeded: true,
      ...expected(120),
    });
    expect((await counts())!.size).toBe('120');
  });
});
