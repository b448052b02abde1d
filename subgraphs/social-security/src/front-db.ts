/**
 * The front-end database contract, for whoever provides the database: the tables this subgraph
 * reads and the driver interface it queries them through. The simulator in `sources/` seeds these
 * tables and supplies its embedded database as such a driver; it imports this entry point
 * (`@credit-gateway/subgraph-social-security/front-db`), never the subgraph's server.
 */
export * from './source/tables.js';
export type { FrontDbDriver, FrontDbRow, SqlValue } from './source/front-db.js';
