import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TIERS, type Tier } from '@credit-gateway/common';
import {
  CLIENT_OPERATIONS,
  GatewayMetrics,
  NO_OPERATION,
  OperationNames,
  OTHER_OPERATIONS,
  PUBLIC_OPERATIONS,
  SCREENED_OPERATION,
  type Namer,
} from '../../src/observability/metrics/index.js';
import type { RequestContext } from '../../src/pipeline/index.js';

const ANONYMOUS: Namer = { tier: 'PUBLIC', client: null };
const APPROVAL: Namer = { tier: 'GOVERNMENT', client: 'approval-system' };
const COURT: Namer = { tier: 'JUDICIAL', client: 'court-linkage' };
const FIXED = [NO_OPERATION, OTHER_OPERATIONS, PUBLIC_OPERATIONS, SCREENED_OPERATION];

const names = (max = 200, maxPerClient = 20) => new OperationNames({ known: CLIENT_OPERATIONS, max, maxPerClient });

describe('OperationNames', () => {
  it("labels the client package's operations for every caller, and an anonymous caller's other names __public__", () => {
    const labels = names();
    expect(labels.label('ApprovalCheck', ANONYMOUS)).toBe('ApprovalCheck');
    expect(labels.label('ApprovalCheck', APPROVAL)).toBe('ApprovalCheck');
    expect(labels.label('SquatName', ANONYMOUS)).toBe(PUBLIC_OPERATIONS);
    // A PUBLIC token naming its client is no more trusted than no token.
    expect(labels.label('SquatName', { tier: 'PUBLIC', client: 'someone' })).toBe(PUBLIC_OPERATIONS);
    expect(labels.size).toBe(0);
  });

  it("leaves an authenticated caller's names labelled as themselves after 1,000 anonymous names", () => {
    const labels = names();
    for (let i = 0; i < 1_000; i++) expect(labels.label(`Squat${i}`, ANONYMOUS)).toBe(PUBLIC_OPERATIONS);
    expect(labels.size).toBe(0);
    expect(labels.label('ApprovalCheck', APPROVAL)).toBe('ApprovalCheck');
    // Not one of the client package's: learned in the approval system's slots.
    expect(labels.label('ApprovalAudit', APPROVAL)).toBe('ApprovalAudit');
    expect(labels.size).toBe(1);
    // Once learned, a name is a label for anyone.
    expect(labels.label('ApprovalAudit', ANONYMOUS)).toBe('ApprovalAudit');
  });

  it('gives one client at most its share of the slots, and the others theirs, up to the total', () => {
    const labels = names(5, 2);
    const flood = Array.from({ length: 1_000 }, (_, i) => labels.label(`Flood${i}`, APPROVAL));
    expect(flood.slice(0, 2)).toEqual(['Flood0', 'Flood1']);
    expect(new Set(flood.slice(2))).toEqual(new Set([OTHER_OPERATIONS]));
    expect(labels.label('Flood0', APPROVAL)).toBe('Flood0');
    expect(labels.label('CourtLedger', COURT)).toBe('CourtLedger');
    expect(labels.label('CourtFeed', COURT)).toBe('CourtFeed');
    expect(labels.label('CourtThird', COURT)).toBe(OTHER_OPERATIONS);
    expect(labels.label('Statistics', { tier: 'ANALYST', client: 'statistics-bureau' })).toBe('Statistics');
    // The total is reached: a fourth client's names are __other__, the known names still themselves.
    expect(labels.label('Lending', { tier: 'AUTHORIZED', client: 'bank' })).toBe(OTHER_OPERATIONS);
    expect(labels.label('CreditEasyCheck', { tier: 'AUTHORIZED', client: 'bank' })).toBe('CreditEasyCheck');
    expect(labels.size).toBe(5);
  });

  it('labels a name that may carry an ID number or a credit code __screened__, whoever sends it', () => {
    const labels = names();
    for (const name of [
      'Person_510107198203154517',
      'P51010719820315451X',
      'Check91500112MA60YD7K76',
      'Person_510_107_198_203_154_517',
      'Phone13800138000',
    ]) {
      expect(labels.label(name, APPROVAL), name).toBe(SCREENED_OPERATION);
      expect(labels.label(name, ANONYMOUS), name).toBe(SCREENED_OPERATION);
      expect(labels.label(name, 'gateway'), name).toBe(SCREENED_OPERATION);
    }
    // Known or not: a safelist with such a name does not make it a label.
    const known = new OperationNames({ known: ['Person_510107198203154517'], max: 10, maxPerClient: 10 });
    expect(known.label('Person_510107198203154517', ANONYMOUS)).toBe(SCREENED_OPERATION);
    expect(labels.label('Check2025', APPROVAL)).toBe('Check2025');
    expect(labels.size).toBe(1);
  });

  it('labels an anonymous operation __none__, and a name that is not a plain short GraphQL name __other__', () => {
    const labels = names(10);
    expect(labels.label(null, APPROVAL)).toBe(NO_OPERATION);
    expect(labels.label('', APPROVAL)).toBe(NO_OPERATION);
    for (const name of ['__other__', '__public__', '_x', 'a"b', 'a\nb', 'x'.repeat(65), 'é'])
      expect(labels.label(name, APPROVAL)).toBe(OTHER_OPERATIONS);
    expect(labels.label('x'.repeat(64), APPROVAL)).toBe('x'.repeat(64));
    expect(labels.size).toBe(1);
  });

  it("labels the gateway's own documents (a credit report's) for every caller, without a slot", () => {
    const labels = names(0, 0);
    expect(labels.label('CreditReport', 'gateway')).toBe('CreditReport');
    expect(labels.label('CreditReport', ANONYMOUS)).toBe(PUBLIC_OPERATIONS);
    expect(labels.size).toBe(0);
  });

  it('stays within its bound, and never labels six digits, whatever names any callers send', () => {
    const tier = fc.constantFrom<Tier>(...TIERS);
    const caller = fc.record({ tier, client: fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { nil: null }) });
    const name = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.stringMatching(/^[A-Za-z][_0-9A-Za-z]{0,70}$/),
      fc.stringMatching(/^[A-Z][a-z]{0,8}(_?[0-9]{1,4}){0,6}$/),
      fc.constantFrom(...CLIENT_OPERATIONS),
      fc.constant(null),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, caller), { maxLength: 300 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 10 }),
        (requests, max, maxPerClient) => {
          const labels = new OperationNames({ known: CLIENT_OPERATIONS, max, maxPerClient });
          const given = new Set(requests.map(([operation, by]) => labels.label(operation, by)));
          expect(given.size).toBeLessThanOrEqual(CLIENT_OPERATIONS.length + max + FIXED.length);
          expect(labels.bound).toBe(CLIENT_OPERATIONS.length + max + FIXED.length);
          const learned = [...given].filter((label) => !FIXED.includes(label) && !CLIENT_OPERATIONS.includes(label));
          expect(learned.length).toBeLessThanOrEqual(Math.min(max, 5 * maxPerClient));
          for (const label of given) {
            expect(label).not.toMatch(/\d{6}/);
            expect(label).not.toMatch(/\d(_*\d){5}/);
            expect(label).toMatch(/^(__(none|other|public|screened)__|[A-Za-z][_0-9A-Za-z]{0,63})$/);
          }
          // Only an authenticated caller's name is ever learned.
          for (const label of learned)
            expect(requests.some(([operation, by]) => operation === label && by.tier !== 'PUBLIC' && by.client)).toBe(
              true,
            );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('GatewayMetrics', () => {
  const setUp = (maxOperationNames: number, maxOperationNamesPerClient: number) => {
    const metrics = new GatewayMetrics({ maxOperationNames, maxOperationNamesPerClient }, CLIENT_OPERATIONS);
    const { onRequest, onDocument } = metrics.plugin;
    const request = (name: string, caller: Namer) => {
      const context = { caller } as RequestContext;
      const end = onRequest!(context);
      onDocument!(context, { operationName: name, operationType: 'query' as never, operationHash: '0' });
      end!({ status: 200, outcome: 'OK', registered: true, durationMs: 1 });
    };
    const series = async () => {
      const all = await metrics.registry.getMetricsAsJSON();
      return all.find((metric) => metric.name === 'credit_gateway_request_duration_seconds')!.values;
    };
    return { metrics, request, series };
  };

  it('keeps its registry bounded whatever operation names callers send', async () => {
    const { request, series } = setUp(5, 5);
    for (let i = 0; i < 5; i++) request(`Name${i}`, APPROVAL);
    const bounded = (await series()).length;
    for (let i = 0; i < 10_000; i++) request(`Flood${i.toString(36)}`, i % 2 ? APPROVAL : ANONYMOUS);
    const values = await series();
    // Two more operation labels (__other__ and __public__), each with as many series as one name has.
    expect(values.length).toBe(bounded + (2 * bounded) / 5);
    const operations = new Set(values.map((value) => value.labels['operation']));
    expect(operations).toEqual(
      new Set(['Name0', 'Name1', 'Name2', 'Name3', 'Name4', OTHER_OPERATIONS, PUBLIC_OPERATIONS]),
    );
  });

  it("counts a GOVERNMENT ApprovalCheck as itself after 1,000 anonymous names, and no ID number's name at all", async () => {
    const { metrics, request, series } = setUp(200, 20);
    for (let i = 0; i < 1_000; i++) request(`Squat${String(i).padStart(4, '0')}`, ANONYMOUS);
    request('ApprovalCheck', APPROVAL);
    request('Person_510107198203154517', APPROVAL);
    const labels = (await series()).map((value) => value.labels);
    expect(labels).toContainEqual(expect.objectContaining({ operation: 'ApprovalCheck', tier: 'GOVERNMENT' }));
    expect(labels).toContainEqual(expect.objectContaining({ operation: SCREENED_OPERATION, tier: 'GOVERNMENT' }));
    expect(new Set(labels.map((label) => label['operation']))).toEqual(
      new Set(['ApprovalCheck', PUBLIC_OPERATIONS, SCREENED_OPERATION]),
    );
    const exposition = await metrics.registry.metrics();
    expect(exposition).not.toContain('510107198203154517');
    expect(exposition).not.toContain('Squat');
  });
});
