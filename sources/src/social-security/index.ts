export * from './format.js';
export * from './records.js';
export * from './demo.js';
export * from './seed.js';
export * from './embedded.js';
export * from './postgres.js';
export * from './config.js';
export * from './seed-config.js';
