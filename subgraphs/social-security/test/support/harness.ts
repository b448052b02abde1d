import { listen, silentLogger } from '@credit-gateway/common';
import { NO_FAULTS, openEmbeddedFrontDb, seedPostgres, type Faults } from '@credit-gateway/sources';
import { GATEWAY_KEYS } from '../../../../common/test/support/gateway-identity.js';
import { createSocialSecuritySubgraph, loadConfig, type FrontDb } from '../../src/server.js';
import { createTestSchema, POSTGRES_URL } from '../../../../common/test/support/postgres-schema.js';
import { startTcpProxy } from '../../../../common/test/support/tcp-proxy.js';

/** Small enough to seed in well under a second, large enough for batches of generated subjects. */
export const TEST_POPULATION = 2_000;
const TEST_TIMEOUT_MS = '300';

export type Fault = 'unavailable' | 'badResponse' | 'timeout';

/** A running subgraph over one front-end database driver, and a way to make that database fail. */
export interface Harness {
  graphqlUrl: string;
  frontDb: FrontDb;
  /** Makes the front-end database fail the given way when it is asked about `code`. */
  induce(fault: Fault, code: string): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

const EMBEDDED_FAULTS: Record<Fault, Partial<Faults>> = {
  unavailable: { errorRate: 1 },
  badResponse: { garbageRate: 1 },
  timeout: { hang: true },
};

export async function startEmbedded(): Promise<Harness> {
  const config = loadConfig(
    { PORT: '0', SOURCE_TIMEOUT_MS: TEST_TIMEOUT_MS, GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY },
    { frontDb: 'supplied' },
  );
  const logger = silentLogger();
  const embedded = await openEmbeddedFrontDb({ population: TEST_POPULATION, faults: NO_FAULTS, logger });
  const subgraph = createSocialSecuritySubgraph(config, logger, embedded);
  const server = await listen(subgraph.handler, 0);
  return {
    graphqlUrl: `${server.url}/graphql`,
    frontDb: subgraph.frontDb,
    induce: (fault) => {
      embedded.setFaults(EMBEDDED_FAULTS[fault]);
      return Promise.resolve();
    },
    restore: () => {
      embedded.setFaults(NO_FAULTS);
      return Promise.resolve();
    },
    close: async () => {
      await server.close();
      await subgraph.close();
    },
  };
}

/**
 * The subgraph over the real PostgreSQL server, seeded by the seed command's own function. Its
 * connections go through a TCP proxy, so that the server can be made to vanish or stop
 * answering; unreadable rows are real rows with a status code the adapter does not know.
 */
export async function startPostgres(): Promise<Harness> {
  const test = await createTestSchema();
  const cleanups: (() => Promise<void>)[] = [test.drop];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    await seedPostgres(test.url(), { population: TEST_POPULATION, batchRows: 2_000 });
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(POSTGRES_URL).port) });
    cleanups.push(() => proxy.close());
    const config = loadConfig({
      PORT: '0',
      FRONT_DB_URL: test.url(`postgres://postgres@127.0.0.1:${proxy.port}/test`),
      SOURCE_TIMEOUT_MS: TEST_TIMEOUT_MS,
      GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY,
    });
    const subgraph = createSocialSecuritySubgraph(config, silentLogger());
    cleanups.push(() => subgraph.close());
    const server = await listen(subgraph.handler, 0);
    cleanups.push(() => server.close());
    let undo: (() => Promise<void>) | null = null;
    return {
      graphqlUrl: `${server.url}/graphql`,
      frontDb: subgraph.frontDb,
      induce: async (fault, code) => {
        if (fault === 'unavailable') proxy.setMode('refuse');
        else if (fault === 'timeout') proxy.setMode('hang');
        else {
          const { rows } = await test.admin.query<{ cbzt: string }>('SELECT cbzt FROM sb_dwcbxx WHERE tyshxydm = $1', [
            code,
          ]);
          // A status code the adapter does not know makes that subject's rows unreadable.
          await test.admin.query(`UPDATE sb_dwcbxx SET cbzt = '9' WHERE tyshxydm = $1`, [code]);
          undo = async () => {
            await test.admin.query('UPDATE sb_dwcbxx SET cbzt = $2 WHERE tyshxydm = $1', [code, rows[0]!.cbzt]);
          };
        }
      },
      restore: async () => {
        proxy.setMode('pass');
        await undo?.();
        undo = null;
      },
      close: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
