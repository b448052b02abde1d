/**
 * Every process that reads configuration, in the order the README documents them, each with the
 * same `loadConfig(env)` it runs at start-up.
 */
import { describeConfig, STAND_IN_NAMES, type Env } from '@credit-gateway/common';
import { loadConfig as loadGatewayConfig } from '@credit-gateway/gateway';
import { loadEmbeddedConfig, loadSeedConfig, loadStandInConfig } from '@credit-gateway/sources';
import { loadConfig as loadCourtsConfig } from '@credit-gateway/subgraph-courts';
import { loadConfig as loadCreditConfig } from '@credit-gateway/subgraph-credit';
import { loadConfig as loadMarketConfig } from '@credit-gateway/subgraph-market';
import { loadConfig as loadProcurementConfig } from '@credit-gateway/subgraph-procurement';
import { loadConfig as loadSocialSecurityConfig } from '@credit-gateway/subgraph-social-security';
import { loadConfig as loadTaxConfig } from '@credit-gateway/subgraph-tax';
import { loadLauncherConfig } from '../launcher-config.js';
import type { ServiceCatalog } from './render.js';

const SERVICES: ReadonlyArray<{ name: string; title: string; load: (env: Env) => unknown }> = [
  { name: 'gateway', title: 'Gateway', load: loadGatewayConfig },
  { name: 'market', title: 'Market regulation subgraph', load: loadMarketConfig },
  { name: 'tax', title: 'Tax subgraph', load: loadTaxConfig },
  { name: 'courts', title: 'Courts subgraph', load: loadCourtsConfig },
  { name: 'social-security', title: 'Social security subgraph', load: loadSocialSecurityConfig },
  { name: 'procurement', title: 'Procurement subgraph', load: loadProcurementConfig },
  { name: 'credit', title: 'Credit rules subgraph', load: loadCreditConfig },
  {
    name: 'social-security embedded',
    title: 'Social security subgraph on the embedded front-end database (`node sources/dist/social-security/main.js`)',
    load: loadEmbeddedConfig,
  },
  {
    name: 'social-security seed',
    title: 'Social security seed (`node sources/dist/social-security/seed-main.js`)',
    load: loadSeedConfig,
  },
  ...STAND_IN_NAMES.map((name) => ({
    name: `${name} stand-in`,
    title: `${name} stand-in`,
    load: (env: Env) => loadStandInConfig(env, [name]),
  })),
  { name: 'npm start', title: '`npm start`', load: loadLauncherConfig },
];

/** What every service reads, recorded without reading the environment. */
export function describeServices(): ServiceCatalog[] {
  return SERVICES.map(({ name, title, load }) => ({ name, title, variables: describeConfig(load) }));
}
