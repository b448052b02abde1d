import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Supergraph } from '@apollo/federation-internals';
import { Kind, parse, print, validate, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_CHILD_ENV } from '../../common/test/support/source-child.js';
import { startStack, type As, type Stack } from './support/stack.js';

// The README's commands and queries, checked against the system they describe: every fenced
// ```graphql block is validated against the supergraph's API schema and run as the caller the
// README names (asserting what the README says it answers), and every shell block that talks to a
// started system runs against this test's system, its `npm run -s auth` minting with its keys.

const repository = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(new URL('README.md', `file://${repository}`), 'utf8');
const SCHEMA_DIR = new URL('schema/', `file://${repository}`);

interface Block {
  lang: string;
  text: string;
  line: number;
  /** The ```json block right after it, if any: the README's variables for it. */
  json?: string;
}

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    blocks.push({ lang: open[1]!, text: body.join('\n'), line: start + 1 });
  }
  // A ```json block following a ```graphql block, with only prose between, holds its variables.
  for (let b = 1; b < blocks.length; b++) {
    if (blocks[b]!.lang === 'json' && blocks[b - 1]!.lang === 'graphql') {
      const between = lines.slice(
        blocks[b - 1]!.line + blocks[b - 1]!.text.split('\n').length + 1,
        blocks[b]!.line - 1,
      );
      if (between.every((line) => line.trim() === '')) blocks[b - 1]!.json = blocks[b]!.text;
    }
  }
  return blocks;
}

const BLOCKS = fencedBlocks(README);
const GRAPHQL = BLOCKS.filter((block) => block.lang === 'graphql');

/** The variables a README block gives an operation in a `# { … }` comment after it, unless they hold a placeholder. */
function commentVariables(block: Block, operation: OperationDefinitionNode): Record<string, unknown> | undefined {
  const lines = block.text.split('\n');
  const end = operation.loc!.endToken.line; // 1-based, within the block
  const comment: string[] = [];
  for (const line of lines.slice(end)) {
    if (!line.startsWith('#')) break;
    comment.push(line.replace(/^#\s?/, ''));
  }
  const text = comment.join(' ').trim();
  if (!text.startsWith('{') || text.includes('…')) return undefined;
  return JSON.parse(text) as Record<string, unknown>;
}

type Answers = Record<string, any>;

interface Plan {
  /** Who sends it, as the README says. */
  as: As | 'approval-system' | 'credit-easy-lender';
  /** Variables when the README gives none in a ```json block or a comment. */
  variables?: (answers: Answers) => Record<string, unknown>;
  /** The error code the README says it answers; none means no error at all. */
  expectCode?: string;
  /** Why the README's block is validated but not run. */
  notRun?: string;
  /** What the test changes in the README's text before running it, and why. */
  rewrite?: (query: string) => string;
}

const CLEAN_SME = '91500155MA5UQ01CXD';
const PARTIAL_DEBTOR = '91500112MA60YD7K76';
const TAX_VIOLATOR = '91441900MA4UW2DQ7T';
const APPROVAL: As = { tier: 'GOVERNMENT', client: 'approval-system', purpose: 'ADMINISTRATIVE_LICENSING' };
const COURT: As = { tier: 'JUDICIAL', client: 'court-linkage', purpose: 'ENFORCEMENT_LINKAGE' };
const ANALYST: As = { tier: 'ANALYST', client: 'analyst-workbench', purpose: null };
const MARKET: As = {
  tier: 'GOVERNMENT',
  client: 'market-bureau',
  purpose: 'ADMINISTRATIVE_LICENSING',
  department: 'MARKET',
};

/** Every operation of the README's ```graphql blocks, by name (or `{rootField}` when anonymous), in README order. */
const PLANS: Record<string, Plan> = {
  ApprovalCheck: { as: 'approval-system' },
  BatchCheck: { as: 'approval-system', variables: () => ({ codes: [PARTIAL_DEBTOR, CLEAN_SME] }) },
  CreditEasyPortrait: { as: 'credit-easy-lender' },
  DebtorRestrictions: { as: COURT },
  Explore: { as: ANALYST, variables: () => ({ code: '91330106MA27XW9P6R' }) },
  ApprovalRules: { as: APPROVAL, variables: () => ({ code: PARTIAL_DEBTOR }) },
  CreditEasyCheck: { as: 'credit-easy-lender', variables: () => ({ code: CLEAN_SME }) },
  File: {
    as: APPROVAL,
    notRun: 'its record id and reason are placeholders; gateway/test/credit.e2e.ts files objections',
  },
  Make: { as: MARKET },
  Resolve: {
    as: MARKET,
    variables: (answers) => ({
      input: { id: answers['Make'].makeCommitment.id, state: 'KEPT', note: '材料已补齐', idempotencyKey: 'c-1-kept' },
    }),
  },
  AfterTheBreach: { as: APPROVAL, variables: () => ({ code: CLEAN_SME }) },
  Records: { as: MARKET },
  Apply: { as: MARKET, expectCode: 'RECORD_NOT_REPAIRABLE' },
  '{repairTimeliness}': { as: ANALYST },
  Walk: { as: COURT, variables: () => ({ since: '2020-01-01T00:00:00+08:00' }) },
  '{registerWebhookEndpoint}': {
    as: { tier: 'GOVERNMENT', client: 'dongguan-tax-bureau', purpose: 'JOINT_PUNISHMENT', department: 'TAX' },
    // The outbox delivers to what is registered: a receiver of this test's, not the README's host.
    rewrite: (query) => query.replace('https://tax.example.gov.cn/credit-hooks', receiverUrl),
  },
  Check: {
    as: { tier: 'GOVERNMENT', client: 'approval-system', purpose: 'PROJECT_APPROVAL', department: 'NDRC' },
    variables: () => ({ code: TAX_VIOLATOR }),
  },
  Report: {
    as: { tier: 'GOVERNMENT', client: 'approval-system', purpose: 'PROJECT_APPROVAL', department: 'NDRC' },
    variables: (answers) => ({ receipt: answers['Check'].enterprise.approvalCheck.id }),
  },
};

const nameOf = (operation: OperationDefinitionNode) =>
  operation.name?.value ??
  `{${operation.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : '…')).join(',')}}`;

let apiSchema: GraphQLSchema;
let stack: Stack;
let url: string;
let receiver: Server;
let receiverUrl: string;

beforeAll(async () => {
  apiSchema = Supergraph.build(readFileSync(new URL('supergraph.graphql', SCHEMA_DIR), 'utf8'))
    .apiSchema()
    .toGraphQLJSSchema();
  stack = await startStack({ populationSize: 200 });
  url = `${stack.gatewayUrl}/graphql`;
  receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/credit-hooks`;
});
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

/**
 * Runs a README shell block with bash against this test's system: the gateway's address is this
 * one's, and `npm run -s auth -- …` runs the same CLI from its sources with this system's keys.
 * `cwd` is where the block writes its files (the repository unless a block saves documents).
 */
async function runShell(script: string, cwd = repository): Promise<{ stdout: string; stderr: string }> {
  const shim = [
    'set -euo pipefail',
    `npm() {`,
    `  if [ "$1 $2 $3 $4" = "run -s auth --" ]; then shift 4; command node --import "$TSX_LOADER" "$REPOSITORY/gateway/src/auth/cli.ts" "$@" --dir "$CREDIT_KEYS_DIR"`,
    `  else echo "the README runs npm $* here" >&2; return 127; fi`,
    `}`,
  ].join('\n');
  const body = script.replaceAll(/http:\/\/(127\.0\.0\.1|localhost):4000/g, stack.gatewayUrl);
  return promisify(execFile)('bash', ['-c', `${shim}\n${body}`], {
    cwd,
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      ...SOURCE_CHILD_ENV,
      CREDIT_KEYS_DIR: stack.keysDir,
      REPOSITORY: repository,
      TSX_LOADER: import.meta.resolve('tsx'),
      // The example programs' default address is npm start's; this system's is another.
      GATEWAY_URL: url,
    },
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** The JSON values `jq .` printed one after the other. */
function jsonStream(text: string): any[] {
  const values: any[] = [];
  let rest = text.trim();
  while (rest !== '') {
    let depth = 0;
    let inString = false;
    let end = -1;
    for (let i = 0; i < rest.length; i++) {
      const c = rest[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          end = i + 1;
          break;
        }
      }
    }
    if (end < 0) throw new Error(`not JSON: ${rest.slice(0, 200)}`);
    values.push(JSON.parse(rest.slice(0, end)));
    rest = rest.slice(end).trim();
  }
  return values;
}

const TOKENS_BLOCK = BLOCKS.find((block) => block.lang === 'sh' && block.text.includes('npm run -s auth -- consent'))!;
const LOOP_BLOCK = BLOCKS.find((block) => block.lang === 'sh' && block.text.includes('http://127.0.0.1:4000/graphql'))!;
const EXAMPLE_BLOCK = BLOCKS.find((block) => block.lang === 'sh' && block.text.includes('clients/examples/dist/'))!;
const DASHBOARD_BLOCK = BLOCKS.find((block) => block.lang === 'sh' && block.text.includes(':4000/dashboard'))!;
const REPORT_BLOCK = BLOCKS.find((block) => block.lang === 'sh' && block.text.includes(':4000/report/verify'))!;

describe("the README's shell commands", () => {
  it('are found: the token commands, the example program, the dashboard, the report and the loop showcase talk to a started system', () => {
    expect(TOKENS_BLOCK).toBeDefined();
    expect(DASHBOARD_BLOCK).toBeDefined();
    expect(REPORT_BLOCK).toBeDefined();
    expect(LOOP_BLOCK).toBeDefined();
    expect(EXAMPLE_BLOCK).toBeDefined();
    const talking = BLOCKS.filter(
      (block) =>
        block.lang === 'sh' &&
        (/(127\.0\.0\.1|localhost):4000/.test(block.text) || /npm run -s auth -- (token|consent)/.test(block.text)) &&
        !block.text.includes('kubectl'),
    );
    expect(talking).toEqual([EXAMPLE_BLOCK, DASHBOARD_BLOCK, TOKENS_BLOCK, REPORT_BLOCK, LOOP_BLOCK]);
  });

  it('open the dashboard as the README says: an analyst token, then the page', async () => {
    const { stdout } = await runShell(DASHBOARD_BLOCK.text);
    expect(stdout.trim().split('.')).toHaveLength(3); // one compact JWS
    const page = /http:\/\/127\.0\.0\.1:4000(\/dashboard)/.exec(DASHBOARD_BLOCK.text)![1]!;
    const response = await fetch(new URL(page, stack.gatewayUrl));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('echarts');
  });

  it('download, verify and limit a credit report as the README says', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'readme-report-'));
    try {
      const { stdout } = await runShell(REPORT_BLOCK.text, folder);
      // The three verifications print one verdict each: the number and code, the document itself,
      // then the document as a form's file.
      const verdicts = jsonStream(stdout);
      expect(verdicts).toHaveLength(3);
      for (const verdict of verdicts) expect(verdict).toMatchObject({ authentic: true, report: { superseded: false } });
      for (const verdict of verdicts.slice(1)) expect(verdict.report.number).toBe(verdicts[0].report.number);

      // The README's offline check, on the public key and the file the commands saved.
      const code = /## Credit reports[\s\S]*?```js\n([\s\S]*?)```/.exec(README)?.[1];
      expect(code).toBeDefined();
      writeFileSync(join(folder, 'check-report.mjs'), code!);
      const { checkReport } = (await import(pathToFileURL(join(folder, 'check-report.mjs')).href)) as {
        checkReport: (verdict: unknown, jwk: unknown, file: Buffer) => Record<string, unknown> | null;
      };
      const jwk = JSON.parse(readFileSync(join(folder, 'public-key.json'), 'utf8'));
      const file = readFileSync(join(folder, 'report.pdf'));
      expect(checkReport(verdicts[0], jwk, file)).toMatchObject({
        number: verdicts[0].report.number,
        subject: '91510107MA6CJ4R13B',
      });
      const changedFile = Buffer.from(file);
      changedFile[changedFile.length >> 1]! ^= 1;
      expect(checkReport(verdicts[0], jwk, changedFile)).toBeNull();
      const payload = verdicts[0].report.signature.payload as string;
      const otherSubject = {
        ...verdicts[0],
        report: {
          ...verdicts[0].report,
          signature: {
            ...verdicts[0].report.signature,
            payload: payload.replace('91510107MA6CJ4R13B', '91500112MA60YD7K76'),
          },
        },
      };
      expect(checkReport(otherSubject, jwk, file)).toBeNull();
      for (const pdf of ['report.pdf', 'bank.pdf'])
        expect(readFileSync(join(folder, pdf)).subarray(0, 5).toString('latin1'), pdf).toBe('%PDF-');
      expect(readFileSync(join(folder, 'special.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/i);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('run an example program of the client package against the system', async () => {
    // The README runs its build (node clients/examples/dist/…); the test runs the same file from source.
    const script = EXAMPLE_BLOCK.text.replace(
      /node clients\/examples\/dist\/([\w-]+)\.js/g,
      'node --import tsx clients/examples/$1.ts',
    );
    expect(script).not.toBe(EXAMPLE_BLOCK.text);
    const printed = JSON.parse((await runShell(script)).stdout);
    expect(printed.applicant).toMatchObject({ code: '91500112MA60YD7K76', greenChannel: false });
    expect(printed.applicant.concerns.length).toBeGreaterThan(0);
  });
});

describe("the README's GraphQL", () => {
  const readmeCallers: { approval?: string; lender?: string; consent?: string } = {};

  beforeAll(async () => {
    // The README's own commands mint the tokens and the consent its showcases are sent with.
    const { stdout } = await runShell(TOKENS_BLOCK.text);
    const [approval, lender, , consent] = stdout.trim().split('\n');
    Object.assign(readmeCallers, { approval, lender, consent });
  });

  it('mints with the token commands, one token or consent per command', () => {
    for (const value of Object.values(readmeCallers)) expect(value).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('is a document valid against the supergraph, or a field definition of a subgraph SDL', () => {
    const sdl = ['market', 'tax', 'courts', 'social-security', 'procurement', 'credit']
      .map((name) => readFileSync(new URL(`${name}.graphql`, SCHEMA_DIR), 'utf8'))
      .join('\n');
    const names: string[] = [];
    for (const block of GRAPHQL) {
      if (/^\w+: .*@access/.test(block.text.trim())) {
        expect(sdl, `README line ${block.line}`).toContain(block.text.trim());
        continue;
      }
      const document = parse(block.text);
      expect(validate(apiSchema, document).map((e) => `README line ${block.line}: ${e.message}`)).toEqual([]);
      for (const definition of document.definitions) {
        if (definition.kind === Kind.OPERATION_DEFINITION) names.push(nameOf(definition));
      }
    }
    // Every operation the README shows is planned below, and nothing planned is gone from it.
    expect(names).toEqual(Object.keys(PLANS));
  });

  it('answers as the README says when run as the caller it names', async () => {
    const answers: Answers = {};
    const failures: string[] = [];
    for (const block of GRAPHQL) {
      if (/^\w+: .*@access/.test(block.text.trim())) continue;
      const document = parse(block.text);
      for (const operation of document.definitions.filter(
        (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
      )) {
        const name = nameOf(operation);
        const plan = PLANS[name]!;
        if (plan.notRun) continue;
        const variables =
          plan.variables?.(answers) ??
          (block.json ? (JSON.parse(block.json) as Record<string, unknown>) : commentVariables(block, operation)) ??
          {};
        const printed = print({ kind: Kind.DOCUMENT, definitions: [operation] });
        const query = plan.rewrite ? plan.rewrite(printed) : printed;
        expect(query === printed, `${name}: the rewrite found its text`).toBe(plan.rewrite === undefined);
        let headers: Record<string, string> = {};
        let as: As = { anonymous: true };
        if (plan.as === 'approval-system') {
          headers = {
            authorization: `Bearer ${readmeCallers.approval}`,
            'x-credit-purpose': 'ADMINISTRATIVE_LICENSING',
          };
        } else if (plan.as === 'credit-easy-lender') {
          headers = {
            authorization: `Bearer ${readmeCallers.lender}`,
            'x-credit-purpose': 'LOAN_APPROVAL',
            'x-credit-consent': readmeCallers.consent!,
          };
        } else as = plan.as;
        const { status, body } = await stack.query(query, variables, as, headers);
        answers[name] = body.data;
        const codes = (body.errors ?? []).map(
          (e: any) => `${e.extensions?.code} at ${(e.path ?? []).join('.')}: ${e.message}`,
        );
        const expected = plan.expectCode;
        if (expected === undefined && (codes.length > 0 || status !== 200 || !body.data)) {
          failures.push(`${name} (README line ${block.line}): HTTP ${status}, ${codes.join('; ') || 'no data'}`);
        }
        if (expected !== undefined && !(body.errors ?? []).some((e: any) => e.extensions?.code === expected)) {
          failures.push(`${name} (README line ${block.line}): expected ${expected}, got ${codes.join('; ') || 'none'}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // What the README says the showcases answer.
    expect(answers['ApprovalRules'].enterprise.greenChannel.eligible).toBe(false);
    expect(answers['CreditEasyPortrait'].enterprise.tax.creditGrades.length).toBeGreaterThan(0);
    expect(answers['DebtorRestrictions'].person.courts.consumptionRestrictions).toContainEqual(
      expect.objectContaining({ role: 'LEGAL_REPRESENTATIVE' }),
    );
    expect(answers['Resolve'].resolveCommitment.state).toBe('KEPT');
  });
});

describe("the README's joint reward-and-punishment showcase", () => {
  it('runs with curl against the started system, every answer without an error', async () => {
    const { stdout } = await runShell(LOOP_BLOCK.text);
    const answers = jsonStream(stdout);
    // The subject read, the case opened, acknowledged, two reports, the rates.
    expect(answers).toHaveLength(6);
    for (const answer of answers) {
      expect(answer.errors, JSON.stringify(answer)).toBeUndefined();
      expect(answer.data).toBeDefined();
    }
    const stats = answers.find((answer) => answer.data.loopStatistics)!;
    const rows = Object.fromEntries(stats.data.loopStatistics.departments.map((r: any) => [r.department.id, r]));
    expect(rows['MOF'].acknowledged).toBeGreaterThan(0);
    expect(rows['NDRC'].reported).toBeGreaterThan(0);
  });
});
