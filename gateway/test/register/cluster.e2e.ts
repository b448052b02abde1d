import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envName, type SubgraphName } from '@credit-gateway/common';
import { demoCode } from '@credit-gateway/sources';
import { mintCallerToken } from '../../src/auth/index.js';
import { MAX_RECORD_TEXT, verifyFileRegister } from '@credit-gateway/register';
import { startStack, type Stack } from '../support/stack.js';
import { SOURCE_CHILD_ENV } from '../../../common/test/support/source-child.js';

/**
 * A gateway of several worker processes on the file store keeps one register: the primary owns
 * the chain, every worker appends and reads through it, so a read served by any worker sees
 * what every worker registered.
 */
const repository = fileURLToPath(new URL('../../../', import.meta.url));
const CODE = demoCode('clean-sme');
const WRITER = 'cluster-test';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

let stack: Stack;
let dir: string;
let gateway: ChildProcess;
let url: string;
let token: string;
const workerPids: number[] = [];

async function post(body: unknown): Promise<{ status: number; body: any }> {
  // A new connection each time: the primary hands connections to the workers in turn.
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-credit-purpose': 'ADMINISTRATIVE_LICENSING',
      connection: 'close',
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const lookUp = (name: string) =>
  post({
    query: `query ${name}($code: CreditCode!) { enterprise(code: $code) { code } }`,
    operationName: name,
    variables: { code: CODE },
  });

const readRecords = (name: string) =>
  post({
    query: `query ${name}($code: CreditCode!) { enterprise(code: $code) { queryRecords(first: 200) { operationName writer seq } } }`,
    operationName: name,
    variables: { code: CODE },
  });

beforeAll(async () => {
  stack = await startStack({ populationSize: 200 });
  dir = await mkdtemp(join(tmpdir(), 'credit-gateway-cluster-register-'));
  token = await mintCallerToken({ tier: 'GOVERNMENT', client: 'approval-system-test', dir: stack.keysDir });
  const tsconfig = SOURCE_CHILD_ENV.TSX_TSCONFIG_PATH;
  const port = await freePort();
  const healthPort = await freePort();
  url = `http://127.0.0.1:${port}`;
  gateway = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/index.ts'], {
    cwd: repository,
    env: {
      PATH: process.env['PATH'],
      TSX_TSCONFIG_PATH: tsconfig,
      // The stack's keys; REGISTER_DIR is set below.
      ...stack.gatewayEnv,
      ...Object.fromEntries(
        (Object.entries(stack.subgraphUrls) as [SubgraphName, string][]).map(([name, subgraph]) => [
          `SUBGRAPH_${envName(name)}_URL`,
          subgraph,
        ]),
      ),
      PORT: String(port),
      WORKERS: '2',
      HEALTH_PORT: String(healthPort),
      METRICS_PORT: '0',
      REGISTER_DIR: join(dir, 'register'),
      REGISTER_WRITER_ID: WRITER,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    gateway.once('exit', () => reject(new Error('the gateway exited')));
    createInterface({ input: gateway.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; worker?: number; pid?: number };
      if (entry.msg === 'credit-gateway listening' && entry.pid !== undefined) {
        workerPids.push(entry.pid);
        if (workerPids.length === 2) resolve();
      }
    });
  });
}, 180_000);

afterAll(async () => {
  if (gateway && gateway.exitCode === null && gateway.signalCode === null) {
    gateway.kill('SIGKILL');
    for (const pid of workerPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('one register across the workers of a gateway (file store)', { timeout: 120_000 }, () => {
  it('lets every worker read, at once and in order, what every worker registered', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `Look${i + 1}`);
    for (const name of names) {
      const answer = await lookUp(name);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ data: { enterprise: { code: CODE } } });
    }
    // Reads on new connections, so that both workers answer some of them; each sees all before it.
    const asked = [...names];
    for (let i = 1; i <= 4; i++) {
      const name = `Read${i}`;
      const answer = await readRecords(name);
      expect(answer.body.errors).toBeUndefined();
      const records = answer.body.data.enterprise.queryRecords as {
        operationName: string;
        writer: string;
        seq: number;
      }[];
      // Newest first: every earlier request, whichever worker took it (this one is registered after).
      expect(records.map((record) => record.operationName)).toEqual([...asked].reverse());
      expect(new Set(records.map((record) => record.writer))).toEqual(new Set([WRITER]));
      const seqs = records.map((record) => record.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
      expect(seqs[0]! - seqs.at(-1)!).toBe(seqs.length - 1);
      asked.push(name);
    }
    const register = join(dir, 'register');
    expect((await readdir(register)).filter((file) => file.endsWith('.jsonl'))).toEqual([`${WRITER}.jsonl`]);
    const report = await verifyFileRegister(register);
    expect(report.ok).toBe(true);
    expect(report.chains.map((chain) => [chain.writer, chain.records])).toEqual([[WRITER, asked.length]]);
  });

  it('bounds the caller-supplied text it stores: a 450 KB operation name is cut and marked', async () => {
    const name = `Huge${'x'.repeat(450 * 1024)}`;
    const answer = await post({ query: '{ __schema { queryType { name } } }', operationName: name });
    expect(answer.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    const lines = (await readFile(join(dir, 'register', `${WRITER}.jsonl`), 'utf8')).trim().split('\n');
    const last = JSON.parse(lines.at(-1)!) as { operationName: string };
    expect(last.operationName.length).toBeLessThanOrEqual(MAX_RECORD_TEXT);
    expect(last.operationName).toMatch(/^Hugex+…\[460804 chars, sha256:[0-9a-f]{16}\]$/);
    expect(lines.every((line) => line.length < 4_096)).toBe(true);
    expect((await verifyFileRegister(join(dir, 'register'))).ok).toBe(true);
  });
});
