/**
 * The append-only, hash-chained durable log under the query register and the credit store:
 * one chain per writer, in JSON lines files or a PostgreSQL table, written by group commit,
 * guarded by a process lock, and checked by `verify`. Each user brings its record format and
 * table layout.
 */
export * from './chain.js';
export * from './commit-queue.js';
export * from './file-chain.js';
export * from './lines.js';
export * from './postgres-chain.js';
export * from './process-lock.js';
export * from './verify.js';
export * from './verify-command.js';
export * from './writer.js';
