import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rename, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import { canonicalJson, sealedHash, verifyTableChains } from '@credit-gateway/common/durable-log';
import { testSchema } from '../../../common/test/support/postgres.js';
import {
  createIssuedReports,
  reportFormat,
  reportsTable,
  sha256,
  type IssuedReports,
  type IssuedReportsHooks,
  type StoredReport,
} from '../../src/report/issued.js';
import { GOVERNMENT, reportOf } from './support.js';

interface Issued {
  number: string;
  verificationCode: string;
  document: string;
}

async function issueTo(issued: IssuedReports, subject: string, document: string): Promise<Issued> {
  const input = reportOf(subject, document);
  await issued.issue(input);
  return { number: input.number, verificationCode: input.verificationCode, document };
}

/** What the files store read: bytes per purpose, and how many reads brought the index up to date. */
function readCounter() {
  const reads: Parameters<NonNullable<IssuedReportsHooks['read']>>[0][] = [];
  return {
    hooks: { read: (read) => void reads.push(read) } satisfies IssuedReportsHooks,
    indexReads: () => reads.filter((read) => read.purpose === 'index'),
    indexBytes: () => reads.filter((read) => read.purpose === 'index').reduce((sum, read) => sum + read.bytes, 0),
    clear: () => void reads.splice(0),
  };
}

const cleanUp: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanUp.splice(0).reverse()) await step();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'issued-'));
  cleanUp.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function open(dir: string, signingKey: KeyObject, hooks?: IssuedReportsHooks): IssuedReports {
  const issued = createIssuedReports({ dir, signingKey, logger: silentLogger(), ...(hooks ? { hooks } : {}) });
  cleanUp.push(() => issued.close());
  return issued;
}

/** `count` reports issued in a register of their own: their lines, as another gateway process wrote them. */
async function linesOf(signingKey: KeyObject, count: number): Promise<{ lines: string[]; reports: Issued[] }> {
  const dir = await tempDir();
  const source = createIssuedReports({ dir, signingKey, logger: silentLogger() });
  const reports: Issued[] = [];
  for (let i = 0; i < count; i++) reports.push(await issueTo(source, `9150015${i}MA5UQ01CXD`, `document ${i}`));
  await source.close();
  const lines = (await readFile(join(dir, 'reports.jsonl'), 'utf8')).split('\n').slice(0, -1);
  return { lines, reports };
}

const authentic = (report: Issued) => ({ authentic: true, report: { number: report.number } });
const unknown = { authentic: false, reason: 'NO_SUCH_REPORT' };

describe('the issued-report register on files', () => {
  it('finds each report by number and by document, and sees every newer report as soon as it is issued', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const issued = open(await tempDir(), privateKey);
    const first = await issueTo(issued, '91500155MA5UQ01CXD', 'first');
    const other = await issueTo(issued, '91510107MA6CJ4R13B', 'other');
    expect(await issued.verifyCode(first.number, first.verificationCode)).toMatchObject({
      authentic: true,
      report: { number: first.number, superseded: false, recordsChangedSince: null },
    });
    expect(await issued.verifyCode(first.number, other.verificationCode)).toEqual(unknown);
    // Issued after the lookups above: they must not answer from what they saw then.
    const second = await issueTo(issued, '91500155MA5UQ01CXD', 'second');
    expect(await issued.verifyCode(first.number, first.verificationCode)).toMatchObject({
      authentic: true,
      report: { superseded: true, recordsChangedSince: false },
    });
    expect(await issued.verifyDocument(Buffer.from('second'))).toMatchObject({
      authentic: true,
      report: { number: second.number, superseded: false },
    });
    expect(await issued.verifyDocument(Buffer.from('other'))).toMatchObject({
      report: { number: other.number, superseded: false },
    });
    expect(await issued.verifyDocument(Buffer.from('never issued'))).toEqual({
      authentic: false,
      reason: 'DOCUMENT_NOT_ISSUED',
    });
  });

  it('reads, for a verification after new reports, only the bytes they added and the last line read before', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const dir = await tempDir();
    const reads = readCounter();
    const issued = open(dir, privateKey, reads.hooks);
    const file = join(dir, 'reports.jsonl');
    const earlier: Issued[] = [];
    for (let i = 0; i < 3; i++) earlier.push(await issueTo(issued, '91500155MA5UQ01CXD', `earlier ${i}`));
    expect(await issued.verifyCode(earlier[0]!.number, earlier[0]!.verificationCode)).toMatchObject(
      authentic(earlier[0]!),
    );
    const before = await readFile(file);
    expect(reads.indexBytes()).toBe(before.length);

    reads.clear();
    const later: Issued[] = [];
    for (let i = 0; i < 5; i++) later.push(await issueTo(issued, '91510107MA6CJ4R13B', `later ${i}`));
    expect(await issued.verifyCode(later[4]!.number, later[4]!.verificationCode)).toMatchObject(authentic(later[4]!));
    const after = await readFile(file);
    const lastLineBefore = before.length - (before.lastIndexOf('\n', before.length - 2) + 1);
    expect(reads.indexReads()).toHaveLength(1);
    expect(reads.indexBytes()).toBe(after.length - before.length + lastLineBefore);

    reads.clear();
    expect(await issued.verifyCode(earlier[1]!.number, earlier[1]!.verificationCode)).toMatchObject(
      authentic(earlier[1]!),
    );
    expect(await issued.verifyDocument(Buffer.from('later 2'))).toMatchObject(authentic(later[2]!));
    expect(reads.indexBytes()).toBe(0);
  });

  it('brings the index up to date once for all the verifications that ask at the same time', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const dir = await tempDir();
    const reads = readCounter();
    const issued = open(dir, privateKey, reads.hooks);
    const reports: Issued[] = [];
    for (let i = 0; i < 4; i++) reports.push(await issueTo(issued, '91500155MA5UQ01CXD', `report ${i}`));
    const all = () =>
      Promise.all([
        ...reports.map((report) => issued.verifyCode(report.number, report.verificationCode)),
        ...reports.map((report) => issued.verifyDocument(Buffer.from(report.document))),
        issued.verifyCode('CGR-20260101-ABCDEFGHJK', 'AAAA-AAAA-AAAA'),
      ]);

    const first = await all();
    expect(reads.indexReads()).toHaveLength(1);
    expect(first.map((verdict) => verdict.authentic)).toEqual([
      ...reports.map(() => true),
      ...reports.map(() => true),
      false,
    ]);

    const newest = await issueTo(issued, '91500155MA5UQ01CXD', 'newest');
    reads.clear();
    const again = await all();
    expect(reads.indexReads()).toHaveLength(1);
    expect(again[0]).toMatchObject({ authentic: true, report: { superseded: true } });
    expect(again.at(-1)).toEqual(unknown);
    expect(await issued.verifyCode(newest.number, newest.verificationCode)).toMatchObject(authentic(newest));
  });

  it('finds a report whose line another process is still writing once the line is whole', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const { lines, reports } = await linesOf(privateKey, 2);
    const dir = await tempDir();
    const issued = open(dir, privateKey);
    const file = join(dir, 'reports-w7.jsonl');
    const [done, writing] = reports as [Issued, Issued];
    const second = lines[1]!;
    await writeFile(file, `${lines[0]}\n${second.slice(0, 100)}`);
    expect(await issued.verifyCode(done.number, done.verificationCode)).toMatchObject(authentic(done));
    expect(await issued.verifyCode(writing.number, writing.verificationCode)).toEqual(unknown);
    await appendFile(file, second.slice(100, -1));
    expect(await issued.verifyCode(writing.number, writing.verificationCode)).toEqual(unknown);
    await appendFile(file, `${second.slice(-1)}\n`);
    expect(await issued.verifyCode(writing.number, writing.verificationCode)).toMatchObject(authentic(writing));
    expect(await issued.verifyDocument(Buffer.from(writing.document))).toMatchObject(authentic(writing));
  });

  it('reads a chain file again from the start once it shrank or was replaced', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const { lines, reports } = await linesOf(privateKey, 7);
    const dir = await tempDir();
    const reads = readCounter();
    const issued = open(dir, privateKey, reads.hooks);
    const file = join(dir, 'reports-w7.jsonl');
    const verdicts = () =>
      Promise.all(reports.map((report) => issued.verifyCode(report.number, report.verificationCode)));
    const found = async () => (await verdicts()).map((verdict) => verdict.authentic);

    await writeFile(file, `${lines[0]}\n`);
    expect(await found()).toEqual([true, false, false, false, false, false, false]);
    // Written again in place, just as long, holding another report.
    expect(Buffer.byteLength(lines[1]!)).toBe(Buffer.byteLength(lines[0]!));
    await writeFile(file, `${lines[1]}\n`);
    // Its time of change, which the file system may keep to a few milliseconds, moves on.
    await utimes(file, new Date(), new Date(Date.now() + 60_000));
    expect(await found()).toEqual([false, true, false, false, false, false, false]);
    await writeFile(
      file,
      lines.slice(0, 3).map((line) => `${line}\n`),
    );
    expect(await found()).toEqual([true, true, true, false, false, false, false]);
    // Cut off its last line.
    await truncate(
      file,
      lines.slice(0, 2).reduce((size, line) => size + Buffer.byteLength(line) + 1, 0),
    );
    expect(await found()).toEqual([true, true, false, false, false, false, false]);
    // Written again in place, longer than before, holding other reports.
    await writeFile(
      file,
      lines.slice(3).map((line) => `${line}\n`),
    );
    expect(await found()).toEqual([false, false, false, true, true, true, true]);
    // Replaced by another file.
    await writeFile(
      `${file}.new`,
      [lines[0], lines[6]].map((line) => `${line}\n`),
    );
    await rename(`${file}.new`, file);
    expect(await found()).toEqual([true, false, false, false, false, false, true]);
    // Replaced by a longer copy of itself: read from the start all the same.
    const copy = `${[lines[0], lines[6], lines[5]].join('\n')}\n`;
    await writeFile(`${file}.new`, copy);
    await rename(`${file}.new`, file);
    reads.clear();
    expect(await found()).toEqual([true, false, false, false, false, true, true]);
    expect(reads.indexBytes()).toBe(Buffer.byteLength(copy));
    await rm(file);
    expect(await found()).toEqual([false, false, false, false, false, false, false]);
  });

  it('answers no report for a line changed in the file, before or after it was read, and an invalid signature for one sealed again', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const { lines, reports } = await linesOf(privateKey, 4);
    const dir = await tempDir();
    const issued = open(dir, privateKey);
    const file = join(dir, 'reports-w7.jsonl');
    const [first, second, third, fourth] = reports as [Issued, Issued, Issued, Issued];
    /** The line with its data digest changed, in place: the same length. */
    const changed = (line: string) => {
      const record = JSON.parse(line) as StoredReport;
      return canonicalJson({ ...record, dataSha256: sha256('other data') });
    };
    await writeFile(
      file,
      [lines[0], changed(lines[1]!), lines[2], lines[3]].map((line) => `${line}\n`),
    );
    expect(await issued.verifyCode(second.number, second.verificationCode)).toEqual(unknown);
    expect(await issued.verifyCode(third.number, third.verificationCode)).toMatchObject(authentic(third));

    await writeFile(
      file,
      [lines[0], changed(lines[1]!), changed(lines[2]!), lines[3]].map((line) => `${line}\n`),
    );
    expect(await issued.verifyCode(third.number, third.verificationCode)).toEqual(unknown);
    expect(await issued.verifyDocument(Buffer.from(third.document))).toEqual({
      authentic: false,
      reason: 'DOCUMENT_NOT_ISSUED',
    });
    expect(await issued.verifyCode(first.number, first.verificationCode)).toMatchObject(authentic(first));

    const resealed = JSON.parse(changed(lines[3]!)) as StoredReport;
    resealed.hash = sealedHash(resealed);
    await writeFile(
      file,
      [lines[0], canonicalJson(resealed)].map((line) => `${line}\n`),
    );
    expect(await issued.verifyCode(fourth.number, fourth.verificationCode)).toEqual({
      authentic: false,
      reason: 'SIGNATURE_INVALID',
    });
  });

  it('verifies every report issued and no other, with the newer reports of its scope, across issues and reopenings', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const callers = [
      GOVERNMENT,
      { client: 'bank', tier: 'ANALYST' },
      { client: 'court', tier: 'GOVERNMENT' },
      { client: null, tier: 'PUBLIC' },
    ];
    const step = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('issue' as const),
          subject: fc.integer({ min: 0, max: 1 }),
          caller: fc.integer({ min: 0, max: callers.length - 1 }),
          // Issue times out of order, and equal ones, as several processes issue them.
          second: fc.integer({ min: 0, max: 20 }),
          data: fc.integer({ min: 0, max: 1 }),
          view: fc.integer({ min: 0, max: 1 }),
        }),
      },
      fc.record({ kind: fc.constant('verify' as const), which: fc.nat() }),
      fc.record({ kind: fc.constant('unknown' as const), number: fc.stringMatching(/^[2-9A-HJ-NP-Z]{10}$/) }),
      fc.record({ kind: fc.constant('reopen' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 24 }), async (steps) => {
        const dir = await mkdtemp(join(tmpdir(), 'issued-property-'));
        let issued = createIssuedReports({ dir, signingKey: privateKey, logger: silentLogger() });
        const model: (Issued & ReturnType<typeof reportOf>)[] = [];
        /** What the model says a verification of `report` answers. */
        const expected = (report: (typeof model)[number]) => {
          const scope = report.subject;
          const after = (other: (typeof model)[number]) =>
            other.issuedAt > report.issuedAt || (other.issuedAt === report.issuedAt && other.number > report.number);
          const newer = model
            .filter((other) => other.subject === scope && after(other))
            .sort((a, b) =>
              a.issuedAt === b.issuedAt ? (a.number < b.number ? -1 : 1) : a.issuedAt < b.issuedAt ? -1 : 1,
            );
          // Only the same caller's newer reports count (a client-less caller is nobody's same), and
          // records changed only against the same caller seeing the subject the same way.
          const mine = newer.filter(
            (other) =>
              report.issuer.client !== null &&
              other.issuer.client === report.issuer.client &&
              other.issuer.tier === report.issuer.tier,
          );
          const sameView = mine.filter((other) => other.viewSha256 === report.viewSha256).at(-1);
          return {
            authentic: true,
            report: {
              number: report.number,
              superseded: mine.length > 0,
              supersededAt: mine.at(-1)?.issuedAt ?? null,
              recordsChangedSince: sameView ? sameView.dataSha256 !== report.dataSha256 : null,
            },
          };
        };
        const check = async (report: (typeof model)[number]) => {
          expect(await issued.verifyCode(report.number, report.verificationCode)).toMatchObject(expected(report));
          expect(await issued.verifyDocument(Buffer.from(report.document))).toMatchObject(expected(report));
        };
        try {
          for (const each of steps) {
            if (each.kind === 'issue') {
              const input = reportOf(`9150015${each.subject}MA5UQ01CXD`, `document ${model.length}`, {
                issuedAt: new Date(Date.UTC(2026, 11, 7, 9, 0, each.second)).toISOString(),
                issuer: callers[each.caller]!,
                data: `data ${each.data}`,
                view: `view ${each.view}`,
              });
              await issued.issue(input);
              model.push({ ...input, document: `document ${model.length}` });
            } else if (each.kind === 'verify' && model.length > 0) {
              await check(model[each.which % model.length]!);
            } else if (each.kind === 'unknown') {
              const number = `CGR-20261207-${each.number}`;
              if (!model.some((report) => report.number === number))
                expect(await issued.verifyCode(number, 'AAAA-AAAA-AAAA')).toEqual(unknown);
            } else if (each.kind === 'reopen') {
              await issued.close();
              issued = createIssuedReports({ dir, signingKey: privateKey, logger: silentLogger() });
            }
          }
          for (const report of model) await check(report);
        } finally {
          await issued.close();
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 30 },
    );
  });
});

// PostgreSQL round trips by the thousand: far more than a unit test's default 5 s on a busy machine.
describe('the issued-report register on PostgreSQL', { timeout: 120_000 }, () => {
  const callers = [
    GOVERNMENT,
    { client: 'bank', tier: 'ANALYST' },
    { client: 'court', tier: 'GOVERNMENT' },
    { client: null, tier: 'PUBLIC' },
  ];

  async function onPostgres(signingKey: KeyObject, hooks?: IssuedReportsHooks) {
    const schema = await testSchema('issued_test');
    const issued = createIssuedReports({
      dir: '/nonexistent',
      postgres: { url: schema.url, poolSize: 3, writer: 'r1', timeoutMs: 10_000 },
      signingKey,
      logger: silentLogger(),
      ...(hooks ? { hooks } : {}),
    });
    cleanUp.push(() => schema.drop());
    cleanUp.push(() => issued.close());
    return { schema, issued };
  }

  it('issues reports asked for at the same time, each linked in its chain, and verifies every one', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const { schema, issued } = await onPostgres(privateKey);
    const inputs = Array.from({ length: 48 }, (_, i) =>
      reportOf('91500112MA60YD7K76', `document ${i}`, { issuer: callers[i % callers.length]! }),
    );
    const stored = await Promise.all(inputs.map((input) => issued.issue(input)));
    expect(stored.map((report) => report.seq).sort((a, b) => a - b)).toEqual(inputs.map((_, i) => i + 1));
    const report = await verifyTableChains(schema.url, reportsTable, reportFormat, { applicationName: 'issued-test' });
    expect(report).toMatchObject({ ok: true, chains: [{ writer: 'reports-r1', records: 48 }] });
    for (const [i, input] of inputs.entries()) {
      expect(await issued.verifyCode(input.number, input.verificationCode)).toMatchObject({
        authentic: true,
        report: { number: input.number },
      });
      expect(await issued.verifyDocument(Buffer.from(`document ${i}`))).toMatchObject({
        authentic: true,
        report: { number: input.number },
      });
    }
  });

  it('answers the same verdicts as the files store for the same reports, issued one by one or at once', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const issue = fc.record({
      subject: fc.integer({ min: 0, max: 1 }),
      caller: fc.integer({ min: 0, max: callers.length - 1 }),
      // Issue times out of order, and equal ones, as several processes issue them.
      second: fc.integer({ min: 0, max: 3 }),
      data: fc.integer({ min: 0, max: 1 }),
      view: fc.integer({ min: 0, max: 1 }),
    });
    // Each step issues its reports at the same time.
    const steps = fc.array(fc.array(issue, { minLength: 1, maxLength: 6 }), { maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(steps, async (batches) => {
        const files = open(await tempDir(), privateKey);
        const { issued: postgres } = await onPostgres(privateKey);
        const inputs: ReturnType<typeof reportOf>[] = [];
        try {
          for (const batch of batches) {
            const made = batch.map((each) =>
              reportOf(`9150015${each.subject}MA5UQ01CXD`, `document ${inputs.length}-${Math.random()}`, {
                issuedAt: new Date(Date.UTC(2026, 11, 7, 9, 0, each.second)).toISOString(),
                issuer: callers[each.caller]!,
                data: `data ${each.data}`,
                view: `view ${each.view}`,
              }),
            );
            await Promise.all([
              ...made.map((input) => files.issue(input)),
              ...made.map((input) => postgres.issue(input)),
            ]);
            inputs.push(...made);
          }
          for (const input of inputs) {
            const fromFiles = await files.verifyCode(input.number, input.verificationCode);
            expect(fromFiles).toMatchObject({ authentic: true });
            expect(await postgres.verifyCode(input.number, input.verificationCode)).toEqual(fromFiles);
          }
        } finally {
          for (const step of cleanUp.splice(0).reverse()) await step();
        }
      }),
      { numRuns: 20 },
    );
  });

  it('reads, for one verification, a row per caller of the scope however many reports they were issued', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const queries: Parameters<NonNullable<IssuedReportsHooks['query']>>[0][] = [];
    const { schema, issued } = await onPostgres(privateKey, { query: (query) => void queries.push(query) });
    const subject = '91500112MA60YD7K76';
    const first = reportOf(subject, 'the first', { issuedAt: '2026-12-07T08:00:00.000Z' });
    await issued.issue(first);
    // 3,000 later reports of the same scope from five callers, two views each, issued 500 at a time.
    const all = [...callers, { client: 'bank', tier: 'PUBLIC' }];
    for (let start = 0; start < 3_000; start += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          issued.issue(
            reportOf(subject, `later ${start + i}`, {
              issuedAt: new Date(Date.UTC(2026, 11, 7, 9) + start + i).toISOString(),
              issuer: all[(start + i) % all.length]!,
              view: `view ${(start + i) % 2}`,
            }),
          ),
        ),
      );
    }
    await schema.admin.query('ANALYZE issued_reports');
    queries.splice(0);
    expect(await issued.verifyCode(first.number, first.verificationCode)).toMatchObject({
      authentic: true,
      report: { superseded: true, supersededAt: new Date(Date.UTC(2026, 11, 7, 9) + 2_995).toISOString() },
    });
    const sameScope = queries.find((query) => query.purpose === 'sameScope')!;
    // The report itself, and the newest of each of the ten callers and views.
    expect(sameScope.rows).toBe(11);
    // What PostgreSQL read to answer it: a few index entries per caller, not the 3,001 rows.
    const { rows } = await schema.admin.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${sameScope.text}`,
      sameScope.values,
    );
    const read = rowsRead(rows[0]!['QUERY PLAN'][0].Plan);
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(100);
  });
});

interface PlanNode {
  'Node Type': string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** Rows the plan's scans read from the table: those they passed on and those they filtered out. */
function rowsRead(node: PlanNode): number {
  const own =
    /Scan$/.test(node['Node Type']) && node['Node Type'] !== 'CTE Scan' && node['Node Type'] !== 'WorkTable Scan'
      ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) *
        node['Actual Loops']
      : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child), 0);
}
