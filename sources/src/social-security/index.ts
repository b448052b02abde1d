export * from './tables.js';
export * from './periods.js';
export * from './records.js';
export * from './demo.js';
export * from './seed.js';
