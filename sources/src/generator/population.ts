import { buildCreditCode, CREDIT_CODE_CHARSET } from '@credit-gateway/common';
import { DEMO_SUBJECTS } from '../demo/subjects.js';
import { DIVISIONS } from './divisions.js';
import { hash32 } from './prng.js';
import { isRegistered } from './subject.js';

const BODY_SPACE = 31 ** 6;
// Multiplying by a number coprime to 31^6 permutes the index space, so consecutive indices give
// codes that look unrelated, as issued codes do.
const SCRAMBLE = 387_420_489;

/** The i-th code of the generated population; it may be one that nobody registered. */
export function populationCandidate(index: number): string {
  let value = (index * SCRAMBLE + 12_345) % BODY_SPACE;
  let body = '';
  for (let i = 0; i < 6; i++) {
    body = CREDIT_CODE_CHARSET.charAt(value % 31) + body;
    value = Math.floor(value / 31);
  }
  const mix = hash32(`population|${index}`);
  const division = DIVISIONS[mix % DIVISIONS.length]!;
  const roll = (mix >>> 8) % 100;
  const category = roll < 90 ? '1' : roll < 98 ? '2' : '3';
  return buildCreditCode(`9${category}${division.code}`, `MA${body}`);
}

/**
 * The registered subjects a department front-end database is seeded with: the demo subjects first,
 * then `size` generated ones, the same on every run.
 */
export function* population(size: number): Generator<string> {
  yield* DEMO_SUBJECTS.keys();
  let produced = 0;
  for (let index = 0; produced < size; index++) {
    const code = populationCandidate(index);
    if (isRegistered(code)) {
      produced++;
      yield code;
    }
  }
}

/** Valid codes that no department system knows, for exercising "unknown". */
export function* unregisteredCodes(): Generator<string> {
  for (let index = 0; ; index++) {
    const code = populationCandidate(index);
    if (!isRegistered(code)) yield code;
  }
}
