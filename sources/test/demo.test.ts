import { describe, expect, it } from 'vitest';
import {
  findCreditCodeProblem,
  findIdNumberProblem,
  loadCreditCodePolicy,
  parseCreditCode,
} from '@credit-gateway/common';
import {
  DEMO_SUBJECTS,
  isRegistered,
  population,
  populationCandidate,
  subjectFacts,
  unregisteredCodes,
} from '../src/index.js';

describe('demo subjects', () => {
  it('has at least twelve, each with a valid or allow-listed code and valid people', () => {
    expect(DEMO_SUBJECTS.size).toBeGreaterThanOrEqual(12);
    const policy = loadCreditCodePolicy();
    for (const { facts } of DEMO_SUBJECTS.values()) {
      expect(parseCreditCode(facts.code, policy)).toBe(facts.code);
      expect(findIdNumberProblem(facts.legalRepresentative.idNumber), facts.name).toBeNull();
    }
    const failing = [...DEMO_SUBJECTS.keys()].filter((code) => findCreditCodeProblem(code) !== null);
    expect(failing).toEqual(['91350100M000147283']);
  });
});

describe('the generated population', () => {
  it('is the same on every run, and holds only valid, registered codes', () => {
    const first = [...population(300)];
    expect([...population(300)]).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    for (const code of first) {
      expect(isRegistered(code)).toBe(true);
      if (!DEMO_SUBJECTS.has(code)) expect(findCreditCodeProblem(code)).toBeNull();
    }
  });

  it('leaves a few percent of valid codes registered nowhere', () => {
    const sample = Array.from({ length: 10_000 }, (_, i) => populationCandidate(i));
    const unregistered = sample.filter((code) => !isRegistered(code)).length / sample.length;
    expect(unregistered).toBeGreaterThan(0.015);
    expect(unregistered).toBeLessThan(0.05);
    const unknown = unregisteredCodes().next().value!;
    expect(subjectFacts(unknown)).toBeNull();
  });
});
