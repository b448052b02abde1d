import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodyTooSlow, type BodyPace } from '../src/http.js';

const paces = fc.record<BodyPace>({
  timeoutMs: fc.integer({ min: 100, max: 600_000 }),
  minBytesPerSecond: fc.integer({ min: 0, max: 1_000_000 }),
});
const bytes = fc.integer({ min: 0, max: 100_000_000 });
const elapsed = fc.double({ min: 0, max: 700_000, noNaN: true });

describe('bodyTooSlow', () => {
  it('refuses every body still arriving at its timeout', () => {
    fc.assert(
      fc.property(paces, bytes, fc.double({ min: 0, max: 100_000, noNaN: true }), (pace, received, past) => {
        expect(bodyTooSlow(received, pace.timeoutMs + past, pace)).toMatch(/did not arrive within/);
      }),
    );
  });

  it('never refuses, before its timeout, a body arriving at least at the minimum rate', () => {
    fc.assert(
      fc.property(paces, elapsed, fc.double({ min: 1, max: 1_000, noNaN: true }), (pace, at, faster) => {
        fc.pre(at < pace.timeoutMs);
        const received = Math.ceil((pace.minBytesPerSecond * faster * at) / 1000);
        expect(bodyTooSlow(received, at, pace)).toBeNull();
      }),
    );
  });

  it('checks no rate in the first second, nor with a minimum of 0', () => {
    fc.assert(
      fc.property(paces, bytes, elapsed, (pace, received, at) => {
        fc.pre(at < pace.timeoutMs && (at <= 1_000 || pace.minBytesPerSecond === 0));
        expect(bodyTooSlow(received, at, pace)).toBeNull();
      }),
    );
  });

  it('is monotonic: fewer bytes, or more time, never makes a too-slow body acceptable', () => {
    fc.assert(
      fc.property(paces, bytes, elapsed, bytes, elapsed, (pace, received, at, fewer, later) => {
        fc.pre(bodyTooSlow(received, at, pace) !== null);
        expect(bodyTooSlow(Math.min(received, fewer), at, pace)).not.toBeNull();
        expect(bodyTooSlow(received, at + later, pace)).not.toBeNull();
      }),
    );
  });

  it('refuses a body that has sent nothing once the first second is past, with a minimum rate', () => {
    expect(bodyTooSlow(0, 1_001, { timeoutMs: 10_000, minBytesPerSecond: 1_024 })).toBe(
      'The request body arrived slower than 1024 bytes a second',
    );
    expect(bodyTooSlow(2_000, 2_500, { timeoutMs: 10_000, minBytesPerSecond: 1_024 })).toBeNull();
  });
});
