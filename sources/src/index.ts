export * from './generator/prng.js';
export * from './generator/divisions.js';
export * from './generator/subject.js';
export * from './generator/population.js';
export * from './demo/subjects.js';
export * from './stand-ins.js';
export * from './sim/faults.js';
export type { StandInHandler, StandInStats } from './sim/server.js';
export * from './social-security/index.js';
