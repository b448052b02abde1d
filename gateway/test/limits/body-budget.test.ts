import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvReader, readBodyBytes } from '@credit-gateway/common';
import { loadConfig } from '../../src/config.js';
import {
  BodyBudget,
  BodyBudgetExceeded,
  readBodyBudgetConfig,
  type BodyAccount,
} from '../../src/limits/body-budget.js';

const ADDRESSES = ['10.0.0.1', '10.0.0.2', '10.0.0.3'] as const;

/** What one step of a client's life does to the budget: a body starts, gets a chunk, is answered or cut off. */
type Step =
  | { kind: 'start'; address: number }
  | { kind: 'chunk'; body: number; bytes: number }
  | { kind: 'finish'; body: number }
  | { kind: 'abort'; body: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('start' as const), address: fc.nat(ADDRESSES.length - 1) }),
  fc.record({ kind: fc.constant('chunk' as const), body: fc.nat(40), bytes: fc.integer({ min: -5, max: 700 }) }),
  fc.record({ kind: fc.constant('finish' as const), body: fc.nat(40) }),
  fc.record({ kind: fc.constant('abort' as const), body: fc.nat(40) }),
);

describe('the body budget', () => {
  it('never holds more than its budget or an address its share, never goes negative, and leaks nothing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3_000 }),
        fc.integer({ min: 0, max: 3_000 }),
        fc.array(step, { maxLength: 300 }),
        (totalBytes, share, steps) => {
          const perAddressBytes = Math.min(share, totalBytes);
          const budget = new BodyBudget({ totalBytes, perAddressBytes });
          const bodies: { account: BodyAccount; held: number; open: boolean }[] = [];
          const heldBy = (address: string) =>
            bodies.filter((body) => body.open && body.account.address === address).reduce((sum, b) => sum + b.held, 0);
          for (const each of steps) {
            if (each.kind === 'start') {
              bodies.push({ account: budget.open(ADDRESSES[each.address]!), held: 0, open: true });
              continue;
            }
            const body = bodies[each.body];
            if (!body) continue;
            if (each.kind === 'chunk') {
              const address = body.account.address;
              const fits =
                !body.open ||
                each.bytes <= 0 ||
                ((perAddressBytes === 0 || heldBy(address) + each.bytes <= perAddressBytes) &&
                  budget.report().heldBytes + each.bytes <= totalBytes);
              const refused = body.account.reserve(each.bytes);
              // A released account takes nothing more; anything else is taken exactly when it fits.
              if (!body.open && each.bytes > 0) expect(refused).toBeInstanceOf(BodyBudgetExceeded);
              else expect(refused === null).toBe(fits);
              if (refused === null && body.open && each.bytes > 0) body.held += each.bytes;
            } else {
              // Answered or cut off, a body gives back what it held, once.
              body.account.release();
              body.open = false;
              body.held = 0;
            }
            const report = budget.report();
            const open = bodies.filter((b) => b.open);
            expect(report.heldBytes).toBe(open.reduce((sum, b) => sum + b.held, 0));
            expect(report.heldBytes).toBeGreaterThanOrEqual(0);
            expect(report.heldBytes).toBeLessThanOrEqual(totalBytes);
            for (const address of ADDRESSES) {
              expect(budget.heldBy(address)).toBe(heldBy(address));
              if (perAddressBytes > 0) expect(budget.heldBy(address)).toBeLessThanOrEqual(perAddressBytes);
            }
          }
          for (const body of bodies) body.account.release();
          expect(budget.report()).toMatchObject({ heldBytes: 0, addresses: 0 });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('tells an address over its share so, before the process budget', () => {
    const budget = new BodyBudget({ totalBytes: 100, perAddressBytes: 40 });
    expect(budget.open('a').reserve(40)).toBeNull();
    const refused = budget.open('a').reserve(1);
    expect(refused?.toJSON()).toMatchInlineSnapshot(`
      {
        "extensions": {
          "code": "RATE_LIMITED",
          "limit": 40,
          "retryAfterSeconds": 1,
          "scope": "address-body-bytes",
        },
        "message": "Requests from this address are already sending 40 bytes of bodies; retry shortly",
      }
    `);
    expect(budget.open('b').reserve(40)).toBeNull();
    expect(budget.open('c').reserve(21)?.toJSON().extensions).toMatchObject({ scope: 'body-bytes', limit: 100 });
    expect(budget.report()).toEqual({
      heldBytes: 80,
      addresses: 2,
      refused: { 'body-bytes': 1, 'address-body-bytes': 1 },
    });
  });
});

/** A request whose body arrives as `chunks`, with the headers given. */
function request(headers: Record<string, string>, chunks: readonly string[]): IncomingMessage {
  const stream = new PassThrough();
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  return Object.assign(stream, { headers }) as unknown as IncomingMessage;
}

describe('reading a body against the budget', () => {
  it('reserves the declared length before reading, and refuses a body that does not fit unread', async () => {
    const budget = new BodyBudget({ totalBytes: 1_000, perAddressBytes: 0 });
    const first = budget.open('a');
    const reading = readBodyBytes(request({ 'content-length': '600' }, ['x'.repeat(600)]), 10_000, {
      allowance: first,
    });
    // Reserved before a byte arrived.
    expect(budget.report().heldBytes).toBe(600);
    await expect(
      readBodyBytes(request({ 'content-length': '500' }, ['y'.repeat(500)]), 10_000, { allowance: budget.open('b') }),
    ).rejects.toBeInstanceOf(BodyBudgetExceeded);
    expect((await reading).length).toBe(600);
    first.release();
    expect(budget.report().heldBytes).toBe(0);
  });

  it('reserves a body without a declared length as it arrives, and stops reading it past the budget', async () => {
    const budget = new BodyBudget({ totalBytes: 1_000, perAddressBytes: 0 });
    const account = budget.open('a');
    const chunks = ['z'.repeat(400), 'z'.repeat(400), 'z'.repeat(400)];
    await expect(
      readBodyBytes(request({ 'transfer-encoding': 'chunked' }, chunks), 10_000, {
        allowance: account,
        pace: { timeoutMs: 5_000, minBytesPerSecond: 0 },
      }),
    ).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', scope: 'body-bytes' } });
    expect(account.held).toBe(800);
    account.release();
    expect(budget.report().heldBytes).toBe(0);
  });
});

describe('the body budget settings', () => {
  it('keep the budget at least the largest body one request may send', () => {
    expect(() => loadConfig({ BODY_BUDGET_PER_ADDRESS_BYTES: '2097152' })).toThrow(
      /BODY_BUDGET_PER_ADDRESS_BYTES \(2097152\) is below REPORT_UPLOAD_LIMIT_BYTES \(4194304\)/,
    );
    expect(() => loadConfig({ BODY_BUDGET_BYTES: '4194304' })).toThrow(
      /BODY_BUDGET_PER_ADDRESS_BYTES \(8388608\) is above BODY_BUDGET_BYTES \(4194304\)/,
    );
    const reader = new EnvReader({});
    expect(readBodyBudgetConfig(reader)).toEqual({ totalBytes: 32 * 1024 * 1024, perAddressBytes: 8 * 1024 * 1024 });
  });
});
