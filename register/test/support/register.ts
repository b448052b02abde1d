import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@credit-gateway/common';
import { openQueryRegister, type QueryRecordInput, type RegisterConfig, type RegisterHooks } from '../../src/index.js';
import { testSchema as postgresSchema } from '../../../common/test/support/postgres.js';
import { SOURCE_CHILD_ENV } from '../../../common/test/support/source-child.js';

export { POSTGRES_URL, schemaUrl } from '../../../common/test/support/postgres.js';

export const CHILD = fileURLToPath(new URL('./append-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** A request as the gateway registers it; `n` makes each one distinct. */
export function queryInput(n: number, overrides: Partial<QueryRecordInput> = {}): QueryRecordInput {
  return {
    time: new Date(Date.UTC(2026, 0, 1) + n * 1_000).toISOString(),
    requestId: `req-${n}`,
    caller: 'officer-7',
    client: 'approval-system',
    tier: 'GOVERNMENT',
    purpose: 'licence approval',
    operationName: 'ApprovalCheck',
    operationHash: createHash('sha256').update(`query ApprovalCheck { n${n} }`).digest('hex'),
    subjects: ['91500112MA60YD7K76'],
    fieldsReturned: ['Enterprise.code', 'CourtsSection.dishonestDebtorRecords'],
    fieldsDenied: [],
    outcome: 'OK',
    ...overrides,
  };
}

export async function tempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'query-register-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A schema of the register's tests. */
export const testSchema = () => postgresSchema('register_test');

export function fileConfig(
  dir: string,
  overrides: Partial<RegisterConfig> = {},
  indexMaxEntries = 250_000,
  syncWrites = true,
): RegisterConfig {
  return {
    store: { kind: 'file', dir, indexMaxEntries, syncWrites },
    writer: 'gw-1',
    timeoutMs: 2_000,
    batchMax: 500,
    ...overrides,
  };
}

export function postgresConfig(url: string, overrides: Partial<RegisterConfig> = {}): RegisterConfig {
  return {
    store: { kind: 'postgres', url, poolSize: 4 },
    writer: 'gw-1',
    timeoutMs: 2_000,
    batchMax: 500,
    ...overrides,
  };
}

export function open(config: RegisterConfig, hooks?: RegisterHooks) {
  return openQueryRegister(config, silentLogger(), hooks ? { hooks } : {});
}

/** Settles every promise and returns the rejections' error codes, or 'ok'. */
export async function outcomes(promises: Promise<unknown>[]): Promise<string[]> {
  const settled = await Promise.allSettled(promises);
  return settled.map((result) =>
    result.status === 'fulfilled' ? 'ok' : String((result.reason as { code?: unknown }).code ?? result.reason),
  );
}

export interface ChildRun {
  /** Every line the child printed before it ended. */
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs support/append-child.ts under tsx with the register `config`: it appends as fast as it
 * can and prints each acknowledged seq. `killAfter` acknowledgements, it is killed with SIGKILL.
 * `shell` wraps the command, e.g. to lower a resource limit.
 */
export function runAppendChild(
  config: RegisterConfig,
  options: { mode: 'flood' | 'until-failure'; killAfter?: number; inFlight?: number; shell?: string },
): Promise<ChildRun> {
  const args = ['--import', 'tsx', CHILD, JSON.stringify(config), options.mode, String(options.inFlight ?? 32)];
  const env = { ...process.env, ...SOURCE_CHILD_ENV };
  const child = options.shell
    ? spawn('bash', ['-c', `${options.shell}; exec "$0" "$@"`, process.execPath, ...args], { cwd: REPO, env })
    : spawn(process.execPath, args, { cwd: REPO, env });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let acks = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      acks += chunk.split('\n').filter((line) => /^\d+$/.test(line)).length;
      if (options.killAfter !== undefined && acks >= options.killAfter) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    // 'close' comes after the pipes are drained: every line the child wrote is in.
    child.on('close', (code, signal) => resolve({ lines: stdout.split('\n').filter(Boolean), code, signal, stderr }));
  });
}
