import { EnvReader, type Env } from '@credit-gateway/common';

/** Misbehaviour a stand-in can be told to show, at start-up (env) or at run time (PUT /_sim/faults). */
export interface Faults {
  /** Added to every response. */
  delayMs: number;
  /** A uniformly random extra delay from 0 to this. */
  jitterMs: number;
  /** Share of requests answered 503 with the department's own error body. */
  errorRate: number;
  /** Share of requests answered 200 with a body that is not the department's format. */
  garbageRate: number;
  /** Accept requests and never answer. */
  hang: boolean;
}

export const NO_FAULTS: Faults = { delayMs: 0, jitterMs: 0, errorRate: 0, garbageRate: 0, hang: false };

export function faultsFromEnv(env: Env, reader = new EnvReader(env)): Faults {
  reader = reader.section('Simulated faults (stand-ins and the embedded front-end database)');
  return {
    delayMs: reader.int('FAULT_DELAY_MS', 0, { min: 0, max: 600_000 }, 'Added to every answer'),
    jitterMs: reader.int('FAULT_JITTER_MS', 0, { min: 0, max: 600_000 }, 'A random extra delay, from 0 to this'),
    errorRate: reader.number(
      'FAULT_ERROR_RATE',
      0,
      { min: 0, max: 1 },
      "Share of calls that fail: 503 with the department's own error body, or a database outage",
    ),
    garbageRate: reader.number(
      'FAULT_GARBAGE_RATE',
      0,
      { min: 0, max: 1 },
      "Share of calls answered with something not in the department's format",
    ),
    hang: reader.bool('FAULT_HANG', false, 'Accept calls and never answer'),
  };
}

/** Validates a run-time fault update; unknown or out-of-range fields are refused, not ignored. */
export function parseFaultUpdate(body: unknown, current: Faults): Faults | string {
  if (typeof body !== 'object' || body === null) return 'body must be a JSON object';
  const next: Faults = { ...current };
  for (const [key, value] of Object.entries(body)) {
    switch (key) {
      case 'delayMs':
      case 'jitterMs':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
          return `${key} must be a whole number >= 0`;
        next[key] = value;
        break;
      case 'errorRate':
      case 'garbageRate':
        if (typeof value !== 'number' || value < 0 || value > 1) return `${key} must be a number from 0 to 1`;
        next[key] = value;
        break;
      case 'hang':
        if (typeof value !== 'boolean') return 'hang must be true or false';
        next.hang = value;
        break;
      default:
        return `unknown fault '${key}'`;
    }
  }
  return next;
}
