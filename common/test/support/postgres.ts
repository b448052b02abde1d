import pg from 'pg';

/** The PostgreSQL server the tests run against; unreachable, the PostgreSQL tests fail. */
export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** `base` with every connection's search path set to `schema`. */
export function schemaUrl(base: string, schema: string): string {
  return `${base}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/**
 * A fresh schema on the test server, named `<prefix>_<pid>_<time>_<random>` so that parallel
 * runs never meet, reached through `search_path` in its URL; `drop` removes it.
 */
export async function testSchema(
  prefix: string,
): Promise<{ admin: pg.Client; schema: string; url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  const schema = `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`SET search_path = ${schema}`);
  return {
    admin,
    schema,
    url: schemaUrl(POSTGRES_URL, schema),
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}
