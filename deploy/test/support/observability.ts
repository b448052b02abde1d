/**
 * docker-compose.yml and what it mounts from deploy/observability, read as docker-compose, Prometheus
 * and Grafana read them: the services with their environment, Prometheus's scrape targets, Grafana's
 * provisioned data sources and dashboard providers, and the dashboards those providers load.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  volumes?: string[];
  ports?: string[];
}

export interface Compose {
  services: Record<string, ComposeService>;
}

/** The compose file with its anchors and merge keys resolved, as docker-compose reads it. */
export function readCompose(path = join(REPOSITORY, 'docker-compose.yml')): Compose {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as Compose;
}

export const readYaml = (path: string): unknown => parse(readFileSync(path, 'utf8'));

/** The command as a list of words. */
export function commandOf(service: ComposeService): string[] {
  const command = service.command ?? [];
  return typeof command === 'string' ? command.split(/\s+/) : command;
}

export function envOf(service: ComposeService, name: string): string | undefined {
  const value = service.environment?.[name];
  return value === undefined || value === null ? undefined : String(value);
}

/** A bind mount of the repository: the host path (absolute), where it appears, and whether read-only. */
export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** The service's bind mounts (`./path:/target[:ro]`); named volumes are left out. */
export function bindMounts(service: ComposeService, base = REPOSITORY): Mount[] {
  return (service.volumes ?? []).flatMap((volume) => {
    const [source, target, mode] = volume.split(':');
    if (!source || !target || !(source.startsWith('.') || isAbsolute(source))) return [];
    return [{ source: resolve(base, source), target, readOnly: mode === 'ro' }];
  });
}

/** Where a path inside the container comes from in the repository, through the bind mounts. */
export function hostPath(service: ComposeService, containerPath: string): string | undefined {
  const mount = bindMounts(service)
    .filter((candidate) => containerPath === candidate.target || containerPath.startsWith(`${candidate.target}/`))
    .sort((a, b) => b.target.length - a.target.length)[0];
  if (!mount) return undefined;
  return join(mount.source, relative(mount.target, containerPath));
}

/** `--flag=value` of a command. */
export function flag(service: ComposeService, name: string): string | undefined {
  const prefix = `--${name}=`;
  return commandOf(service)
    .find((word) => word.startsWith(prefix))
    ?.slice(prefix.length);
}

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  scheme?: string;
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
}

/** Every `host:port` Prometheus scrapes, with its job, path and labels. */
export function scrapeTargets(
  prometheusConfig: unknown,
): { job: string; target: string; path: string; labels: Record<string, string> }[] {
  const configs = (prometheusConfig as { scrape_configs?: ScrapeConfig[] }).scrape_configs ?? [];
  return configs.flatMap((config) =>
    (config.static_configs ?? []).flatMap((group) =>
      group.targets.map((target) => ({
        job: config.job_name,
        target,
        path: config.metrics_path ?? '/metrics',
        labels: group.labels ?? {},
      })),
    ),
  );
}

export interface Datasource {
  name: string;
  uid: string;
  type: string;
  url: string;
}

/** The data sources of every file in a provisioning/datasources directory. */
export function provisionedDatasources(dir: string): Datasource[] {
  return yamlFiles(dir).flatMap((file) => (readYaml(file) as { datasources?: Datasource[] }).datasources ?? []);
}

export interface DashboardProvider {
  name: string;
  type: string;
  options: { path: string };
}

export function dashboardProviders(dir: string): DashboardProvider[] {
  return yamlFiles(dir).flatMap((file) => (readYaml(file) as { providers?: DashboardProvider[] }).providers ?? []);
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => join(dir, name));
}

export interface Target {
  refId: string;
  expr: string;
  datasource?: { type?: string; uid?: string };
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}

/** Every panel, those inside collapsed rows included. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Each query of each panel: the panel's title, the query and the data source it goes to. */
export function dashboardQueries(dashboard: Dashboard): { panel: string; expr: string; datasource?: string }[] {
  return allPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      panel: panel.title,
      expr: target.expr,
      datasource: target.datasource?.uid ?? panel.datasource?.uid,
    })),
  );
}

export const DASHBOARDS_DIR = join(REPOSITORY, 'deploy/observability/grafana/dashboards');

/** The dashboards kept in the repository. */
export function repositoryDashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({
      file: join(DASHBOARDS_DIR, name),
      dashboard: JSON.parse(readFileSync(join(DASHBOARDS_DIR, name), 'utf8')) as Dashboard,
    }));
}

// ---------------------------------------------------------------------------------------------
// Checks: each returns its problems, none when all is well (deploy/test/observability.test.ts).

/** The compose services that run the gateway or a subgraph, with the metrics port each listens on. */
export function metricsServices(
  compose: Compose,
  defaults: { gateway: number; subgraphs: Readonly<Record<string, number>> },
): { service: string; script: string; port: number; host: string | undefined }[] {
  return Object.entries(compose.services).flatMap(([service, definition]) => {
    const script = commandOf(definition).find((word) => /^(gateway|subgraphs\/[a-z-]+)\/dist\/index\.js$/.test(word));
    if (!script) return [];
    const subgraph = /^subgraphs\/([a-z-]+)\//.exec(script)?.[1];
    const fallback = subgraph === undefined ? defaults.gateway : defaults.subgraphs[subgraph];
    const port = Number(envOf(definition, 'METRICS_PORT') ?? fallback);
    return [{ service, script, port, host: envOf(definition, 'METRICS_HOST') }];
  });
}

/** Prometheus scrapes exactly the metrics ports of the compose services that serve one. */
export function scrapeProblems(
  compose: Compose,
  defaults: { gateway: number; subgraphs: Readonly<Record<string, number>> },
): string[] {
  const problems: string[] = [];
  const prometheus = compose.services['prometheus'];
  if (!prometheus) return ['no prometheus service'];
  const configFile = flag(prometheus, 'config.file');
  const source = configFile === undefined ? undefined : hostPath(prometheus, configFile);
  if (!source || !existsSync(source))
    return [`prometheus: --config.file ${configFile} is not a file of the repository`];
  const targets = scrapeTargets(readYaml(source));
  const expected = metricsServices(compose, defaults);
  for (const { service, port, host } of expected) {
    if (port <= 0) problems.push(`${service}: METRICS_PORT is off`);
    if (host !== '0.0.0.0') problems.push(`${service}: METRICS_HOST ${host} is not reachable from prometheus`);
    const scraped = targets.filter((target) => target.target === `${service}:${port}`);
    if (scraped.length !== 1) problems.push(`${service}:${port} is scraped ${scraped.length} times`);
    for (const target of scraped) {
      if (target.path !== '/metrics') problems.push(`${target.target}: path ${target.path}`);
      if (target.labels['service'] !== service)
        problems.push(`${target.target}: service label ${target.labels['service']}`);
    }
  }
  for (const { target } of targets) {
    if (!expected.some(({ service, port }) => target === `${service}:${port}`))
      problems.push(`${target} is no compose service's metrics port`);
  }
  return problems;
}

/** Grafana's data sources reach compose services, its providers load the repository's dashboards, offline. */
export function grafanaProblems(compose: Compose, dashboards: { file: string; dashboard: Dashboard }[]): string[] {
  const problems: string[] = [];
  const grafana = compose.services['grafana'];
  if (!grafana) return ['no grafana service'];
  const provisioning = hostPath(grafana, '/etc/grafana/provisioning');
  if (!provisioning || !existsSync(provisioning))
    return ['grafana: /etc/grafana/provisioning is not mounted from the repository'];

  const datasources = provisionedDatasources(join(provisioning, 'datasources'));
  for (const datasource of datasources) {
    if (!CORE_DATASOURCES.has(datasource.type))
      problems.push(`data source ${datasource.name}: ${datasource.type} is not a core plugin`);
    const url = new URL(datasource.url);
    if (!compose.services[url.hostname])
      problems.push(`data source ${datasource.name}: ${url.hostname} is no compose service`);
  }

  const providers = dashboardProviders(join(provisioning, 'dashboards'));
  if (providers.length === 0) problems.push('grafana: no dashboard provider');
  const loaded = new Set<string>();
  for (const provider of providers) {
    const dir = hostPath(grafana, provider.options.path);
    if (provider.type !== 'file' || !dir || !existsSync(dir)) {
      problems.push(`provider ${provider.name}: ${provider.options.path} is not a directory of the repository`);
      continue;
    }
    for (const name of readdirSync(dir)) if (name.endsWith('.json')) loaded.add(join(dir, name));
  }
  for (const { file, dashboard } of dashboards) {
    if (!loaded.has(file)) problems.push(`${relative(REPOSITORY, file)} is loaded by no provider`);
    for (const panel of allPanels(dashboard)) {
      if (!CORE_PANELS.has(panel.type))
        problems.push(`${dashboard.uid}/${panel.title}: ${panel.type} is not a core panel`);
    }
    for (const query of dashboardQueries(dashboard)) {
      if (!datasources.some((datasource) => datasource.uid === query.datasource && datasource.type === 'prometheus'))
        problems.push(
          `${dashboard.uid}/${query.panel}: data source ${query.datasource} is not a provisioned Prometheus`,
        );
    }
  }
  if (loaded.size === 0) problems.push('grafana: its providers load no dashboard');

  const home = envOf(grafana, 'GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH');
  if (home !== undefined && !loaded.has(hostPath(grafana, home) ?? ''))
    problems.push(`grafana: home dashboard ${home} is not loaded`);
  if (envOf(grafana, 'GF_INSTALL_PLUGINS') !== undefined || envOf(grafana, 'GF_PLUGINS_PREINSTALL') !== undefined)
    problems.push('grafana: plugins would be downloaded');
  if (envOf(grafana, 'GF_PLUGINS_PREINSTALL_DISABLED') !== 'true')
    problems.push('grafana: preinstalled plugins are downloaded');
  if (
    envOf(grafana, 'GF_AUTH_ANONYMOUS_ENABLED') !== 'true' ||
    envOf(grafana, 'GF_AUTH_ANONYMOUS_ORG_ROLE') !== 'Viewer'
  )
    problems.push('grafana: no anonymous viewer');
  if (!/^\$\{GRAFANA_ADMIN_PASSWORD(:-[^}]*)?\}$/.test(envOf(grafana, 'GF_SECURITY_ADMIN_PASSWORD') ?? ''))
    problems.push('grafana: the admin password does not come from GRAFANA_ADMIN_PASSWORD');
  return problems;
}

/** Data source and panel plugins Grafana ships with: nothing to download. */
const CORE_DATASOURCES = new Set(['prometheus', 'jaeger', 'loki', 'tempo']);
const CORE_PANELS = new Set(['row', 'timeseries', 'stat', 'gauge', 'bargauge', 'table', 'text', 'heatmap']);

/** Every service that runs the gateway or a subgraph sends its traces to a Jaeger service's OTLP/HTTP port. */
export function tracingProblems(compose: Compose, services: readonly string[]): string[] {
  const problems: string[] = [];
  for (const service of services) {
    const endpoint = envOf(compose.services[service]!, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    if (endpoint === undefined) {
      problems.push(`${service}: no OTEL_EXPORTER_OTLP_ENDPOINT`);
      continue;
    }
    const url = new URL(endpoint);
    const collector = compose.services[url.hostname];
    if (!collector?.image?.startsWith('jaegertracing/all-in-one:'))
      problems.push(`${service}: ${url.hostname} is no Jaeger service`);
    else if (url.port !== '4318' || envOf(collector, 'COLLECTOR_OTLP_ENABLED') !== 'true')
      problems.push(`${service}: ${endpoint} is not Jaeger's OTLP/HTTP receiver`);
  }
  return problems;
}

/** Images not built here name a version: never `latest`, never none. */
export function imageProblems(compose: Compose): string[] {
  return Object.entries(compose.services).flatMap(([service, definition]) => {
    if (definition.build !== undefined || definition.image === undefined) return [];
    const tag = /:([^/:@]+)$/.exec(definition.image)?.[1];
    return tag === undefined || tag === 'latest' ? [`${service}: ${definition.image} is not pinned`] : [];
  });
}
