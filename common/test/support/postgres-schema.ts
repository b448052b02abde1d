import pg from 'pg';

/** The PostgreSQL server the tests run against; unreachable, the PostgreSQL tests fail. */
export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema on the test server, reached through `search_path` in the URL. */
export async function createTestSchema(): Promise<{
  admin: pg.Client;
  schema: string;
  url(base?: string): string;
  drop(): Promise<void>;
}> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  const schema = `social_security_test_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`SET search_path = ${schema}`);
  return {
    admin,
    schema,
    url: (base = POSTGRES_URL) => `${base}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}
