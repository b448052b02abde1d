import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
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
  it('holds only the bytes that have arrived, never the declared length', async () => {
    const budget = new BodyBudget({ totalBytes: 1_000, perAddressBytes: 0 });
    const first = budget.open('a');
    const stream = new PassThrough();
    stream.write('x'.repeat(100));
    const reading = readBodyBytes(
      Object.assign(stream, { headers: { 'content-length': '900' } }) as unknown as IncomingMessage,
      10_000,
      { allowance: first },
    );
    await vi.waitFor(() => expect(first.held).toBe(100));
    expect(budget.report().heldBytes).toBe(100);
    // Another body fits in what the first announced but has not sent.
    const second = budget.open('b');
    expect(
      (await readBodyBytes(request({ 'content-length': '800' }, ['y'.repeat(800)]), 10_000, { allowance: second }))
        .length,
    ).toBe(800);
    expect(budget.report().heldBytes).toBe(900);
    // The first's next chunk no longer fits: refused with the budget's 429, not kept.
    stream.write('x'.repeat(200));
    await expect(reading).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', scope: 'body-bytes' } });
    expect(first.held).toBe(100);
    first.release();
    second.release();
    expect(budget.report().heldBytes).toBe(0);
  });

  it('refuses unread a declared length that could never fit, by the share or the whole budget', async () => {
    const budget = new BodyBudget({ totalBytes: 1_000, perAddressBytes: 400 });
    const account = budget.open('a');
    await expect(
      readBodyBytes(request({ 'content-length': '401' }, ['x'.repeat(401)]), 10_000, { allowance: account }),
    ).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', scope: 'address-body-bytes', limit: 400 } });
    const unshared = new BodyBudget({ totalBytes: 1_000, perAddressBytes: 0 });
    await expect(
      readBodyBytes(request({ 'content-length': '1001' }, ['x'.repeat(1001)]), 10_000, {
        allowance: unshared.open('a'),
      }),
    ).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', scope: 'body-bytes', limit: 1_000 } });
    expect(account.held).toBe(0);
    expect(budget.report()).toMatchObject({ heldBytes: 0, refused: { 'address-body-bytes': 1 } });
    expect(unshared.report()).toMatchObject({ heldBytes: 0, refused: { 'body-bytes': 1 } });
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

  it('holds, for bodies read at once, exactly the bytes each kept, within budget and share', async () => {
    const body = fc.record({
      address: fc.nat(ADDRESSES.length - 1),
      declared: fc.option(fc.integer({ min: 0, max: 2_000 }), { nil: undefined }),
      chunks: fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2_000 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.array(body, { minLength: 1, maxLength: 8 }),
        async (totalBytes, share, bodies) => {
          const perAddressBytes = Math.min(share, totalBytes);
          const budget = new BodyBudget({ totalBytes, perAddressBytes });
          const reads = bodies.map(({ address, declared, chunks }) => {
            const account = budget.open(ADDRESSES[address]!);
            const headers: Record<string, string> =
              declared === undefined ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(declared) };
            const reading = readBodyBytes(
              request(
                headers,
                chunks.map((bytes) => 'b'.repeat(bytes)),
              ),
              10_000,
              { allowance: account },
            ).then(
              (bytes) => ({ ok: true as const, bytes: bytes.length }),
              (error: unknown) => ({ ok: false as const, error }),
            );
            return { account, reading, declared, chunks };
          });
          const outcomes = await Promise.all(reads.map((read) => read.reading));
          const sum = reads.reduce((total, read) => total + read.account.held, 0);
          expect(budget.report().heldBytes).toBe(sum);
          expect(sum).toBeLessThanOrEqual(totalBytes);
          reads.forEach((read, i) => {
            const outcome = outcomes[i]!;
            const sent = read.chunks.reduce((total, bytes) => total + bytes, 0);
            // What a body holds is never more than it sent, whatever it announced.
            expect(read.account.held).toBeLessThanOrEqual(sent);
            if (outcome.ok) expect(read.account.held).toBe(outcome.bytes);
            else expect(outcome.error).toBeInstanceOf(BodyBudgetExceeded);
            if (read.declared !== undefined && perAddressBytes > 0 && read.declared > perAddressBytes)
              expect(read.account.held).toBe(0);
          });
          for (const address of ADDRESSES)
            if (perAddressBytes > 0) expect(budget.heldBy(address)).toBeLessThanOrEqual(perAddressBytes);
          for (const read of reads) read.account.release();
          expect(budget.report()).toMatchObject({ heldBytes: 0, addresses: 0 });
        },
      ),
      { numRuns: 200 },
    );
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
