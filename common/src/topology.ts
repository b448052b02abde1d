import type { SourceName } from './errors.js';

/**
 * The default local layout: where each subgraph and each department stand-in listens when the
 * whole system runs on one machine. Every address can be overridden by config.
 */
export const SUBGRAPH_NAMES = ['market', 'tax', 'courts', 'social-security', 'procurement', 'credit'] as const;

/** The subgraphs that each wrap one department system; `credit` holds the platform's own rules. */
export const DEPARTMENT_SUBGRAPH_NAMES = [
  'market',
  'tax',
  'courts',
  'social-security',
  'procurement',
] as const satisfies readonly SourceName[];

export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** Subgraphs the gateway serves itself: the query register (查询使用登记). */
export const LOCAL_SUBGRAPH_NAMES = ['register'] as const;

export type LocalSubgraphName = (typeof LOCAL_SUBGRAPH_NAMES)[number];

export const GATEWAY_PORT = 4000;

export const SUBGRAPH_PORTS: Readonly<Record<SubgraphName, number>> = {
  market: 4001,
  tax: 4002,
  courts: 4003,
  'social-security': 4004,
  procurement: 4005,
  credit: 4006,
};

/** Where each service serves /metrics by default, apart from its own port (METRICS_PORT). */
export const GATEWAY_METRICS_PORT = 9400;

export const SUBGRAPH_METRICS_PORTS: Readonly<Record<SubgraphName, number>> = {
  market: 9401,
  tax: 9402,
  courts: 9403,
  'social-security': 9404,
  procurement: 9405,
  credit: 9406,
};

/** Department systems reached over HTTP; social security is reached through its front-end database. */
export const STAND_IN_NAMES = ['market', 'tax', 'courts', 'procurement'] as const satisfies readonly SourceName[];

export type StandInName = (typeof STAND_IN_NAMES)[number];

export const STAND_IN_PORTS: Readonly<Record<StandInName, number>> = {
  market: 4101,
  tax: 4102,
  courts: 4103,
  procurement: 4105,
};

/** `social-security` → `SOCIAL_SECURITY`, for environment variable names. */
export function envName(name: string): string {
  return name.toUpperCase().replaceAll('-', '_');
}
