import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '@credit-gateway/common/durable-log';
import { viewDigest } from '../../src/report/endpoint.js';

const TIERS = ['PUBLIC', 'AUTHORIZED', 'ANALYST', 'GOVERNMENT', 'JUDICIAL'] as const;
const view = fc.record({
  tier: fc.constantFrom(...TIERS),
  client: fc.option(fc.constantFrom('approval-system', 'bank-a', 'court'), { nil: null }),
  purpose: fc.option(fc.constantFrom('LOAN_APPROVAL', 'ADMINISTRATIVE_LICENSING', 'CREDIT_SUPERVISION'), { nil: null }),
  department: fc.option(fc.constantFrom('COURTS', 'TAX', 'MARKET'), { nil: null }),
  consentGroups: fc.subarray(['TAX_CREDIT', 'SOCIAL_SECURITY', 'CREDIT_OBJECTION']),
  errors: fc.constant([]),
});

describe('the view digest a verdict discloses', () => {
  it('is the same for the same view under one key, and cannot be rebuilt from the view without the key', () => {
    const secret = randomBytes(32);
    fc.assert(
      fc.property(view, fc.uint8Array({ minLength: 32, maxLength: 32 }), (seen, guess) => {
        const digest = viewDigest(secret, seen);
        expect(viewDigest(secret, { ...seen, consentGroups: [...seen.consentGroups].reverse() })).toBe(digest);
        // Whoever guesses the view (a handful of tiers, purposes, departments and groups) still
        // cannot check the guess: the plain hash and a digest under any other key differ.
        const plain = createHash('sha256')
          .update(canonicalJson({ ...seen, consentGroups: [...seen.consentGroups].sort(), errors: [] }))
          .digest('hex');
        expect(digest).not.toBe(plain);
        expect(viewDigest(Buffer.from(guess), seen)).not.toBe(digest);
      }),
    );
  });

  it('tells different views apart', () => {
    const secret = randomBytes(32);
    fc.assert(
      fc.property(view, view, (a, b) => {
        const same =
          canonicalJson({ ...a, consentGroups: [...a.consentGroups].sort() }) ===
          canonicalJson({ ...b, consentGroups: [...b.consentGroups].sort() });
        expect(viewDigest(secret, a) === viewDigest(secret, b)).toBe(same);
      }),
    );
  });
});
