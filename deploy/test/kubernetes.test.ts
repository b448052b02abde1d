import { beforeAll, describe, expect, it } from 'vitest';
import { describeConfig, envName, SUBGRAPH_NAMES, type Env } from '@credit-gateway/common';
import { GATEWAY_NODE_FLAGS, loadConfig as loadGatewayConfig, TrustedProxies } from '@credit-gateway/gateway';
import { loadConfig as loadCourtsConfig } from '@credit-gateway/subgraph-courts';
import { loadConfig as loadCreditConfig } from '@credit-gateway/subgraph-credit';
import { loadConfig as loadMarketConfig } from '@credit-gateway/subgraph-market';
import { loadConfig as loadProcurementConfig } from '@credit-gateway/subgraph-procurement';
import { loadSeedConfig } from '@credit-gateway/sources';
import { loadConfig as loadSocialSecurityConfig } from '@credit-gateway/subgraph-social-security';
import { loadConfig as loadTaxConfig } from '@credit-gateway/subgraph-tax';
import { readByConfig, resolveEnv, unreadVariables } from './support/config-env.js';
import { hardeningProblems } from './support/hardening.js';
import { connects, egressBlocks, onlyReachableFrom, podEndpoints, policies, type Endpoint } from './support/network.js';
import { kubernetesBytes, redisBytes, redisConfig } from './support/quantities.js';
import { generatedFrom, OVERLAYS, renderOverlay, type KubeObject, type Overlay } from './support/render.js';
import { schemaProblems } from './support/schema.js';
import {
  envValue,
  findWorkload,
  runnersOf,
  selects,
  workloads,
  type Container,
  type LabelSelector,
  type Workload,
} from './support/workloads.js';

/** The configuration each Node entry point loads, by the script its container runs. */
const CONFIG_LOADERS: Readonly<Record<string, (env: Env) => unknown>> = {
  'gateway/dist/index.js': loadGatewayConfig,
  'subgraphs/market/dist/index.js': loadMarketConfig,
  'subgraphs/tax/dist/index.js': loadTaxConfig,
  'subgraphs/courts/dist/index.js': loadCourtsConfig,
  'subgraphs/social-security/dist/index.js': loadSocialSecurityConfig,
  'subgraphs/procurement/dist/index.js': loadProcurementConfig,
  'subgraphs/credit/dist/index.js': loadCreditConfig,
  'sources/dist/social-security/seed-main.js': loadSeedConfig,
};

/** What a gateway worker has past its drain and SHUTDOWN_GRACE_MS to flush the register (FLUSH_MARGIN_MS, performance/shutdown.ts). */
const FLUSH_MARGIN_S = 5;

const GATEWAY_SCRIPT = 'gateway/dist/index.js';

function theGateway(all: readonly Workload[]): { workload: Workload; container: Container } {
  const runners = runnersOf(all, GATEWAY_SCRIPT);
  expect(runners.map(({ workload }) => `${workload.kind}/${workload.name}`)).toEqual(['Deployment/gateway']);
  return runners[0]!;
}

function portNumber(container: Container, port: number | string | undefined): number | undefined {
  return typeof port === 'number' ? port : container.ports?.find((candidate) => candidate.name === port)?.containerPort;
}

function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

interface ServiceSpec {
  selector: Record<string, string>;
  ports: { name?: string; port: number; targetPort?: number | string }[];
}

/** The container port a Service's port reaches on `workload`, when the Service selects it. */
function serviceTarget(service: KubeObject, port: number, workload: Workload): number | undefined {
  const spec = service['spec'] as ServiceSpec;
  if (!selects({ matchLabels: spec.selector }, workload.labels)) return undefined;
  const entry = spec.ports.find((candidate) => candidate.port === port);
  if (!entry) return undefined;
  for (const container of workload.pod.containers) {
    const target = portNumber(container, entry.targetPort ?? entry.port);
    if (target !== undefined) return target;
  }
  return undefined;
}

describe.each(OVERLAYS)('the %s overlay', (overlay: Overlay) => {
  let objects: KubeObject[];
  let all: Workload[];
  let namespace: string;
  let pods: Endpoint[];
  const pod = (name: string): Endpoint => {
    const found = pods.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no pods of ${name}`);
    return found;
  };

  beforeAll(async () => {
    objects = await renderOverlay(overlay);
    all = workloads(objects);
    namespace = objects.find((object) => object.kind === 'Namespace')!.metadata.name;
    pods = podEndpoints(all, namespace);
  }, 60_000);

  it('renders objects the Kubernetes schemas accept, without a field they do not know', async () => {
    expect(objects.length).toBeGreaterThan(30);
    expect(await schemaProblems(objects)).toEqual([]);
  });

  it('puts everything in one namespace that enforces the restricted Pod Security Standard', () => {
    const namespaced = objects.filter((object) => object.kind !== 'Namespace');
    expect(new Set(namespaced.map((object) => object.metadata.namespace))).toEqual(new Set([namespace]));
    expect(find(objects, 'Namespace', namespace).metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
  });

  it('runs every container as non-root on a read-only root, without capabilities, with resources and probes', () => {
    expect(all.length).toBeGreaterThanOrEqual(9);
    expect(all.flatMap(hardeningProblems)).toEqual([]);
  });

  it('gives each Node service only variables its configuration reads, and in development ones it accepts', async () => {
    const checked = new Set<string>();
    const problems: string[] = [];
    for (const [script, load] of Object.entries(CONFIG_LOADERS)) {
      for (const { workload, container } of runnersOf(all, script)) {
        checked.add(script);
        const resolved = await resolveEnv(objects, workload.pod, container, `${workload.name}-5d8f7c9b6-x2x8k`);
        try {
          const { read, error } = readByConfig(load, resolved.env);
          problems.push(...unreadVariables(container, workload.pod, read));
          // Production's secrets are made out of band: its configuration cannot load here.
          if (overlay === 'development' && error !== undefined)
            problems.push(`${container.name}: ${error instanceof Error ? error.message : String(error)}`);
          if (overlay === 'development') problems.push(...resolved.outOfBand.map((name) => `${name} has no source`));
        } finally {
          await resolved.dispose();
        }
      }
    }
    expect(problems).toEqual([]);
    const expected = Object.keys(CONFIG_LOADERS).filter(
      (script) => overlay === 'development' || !script.endsWith('seed-main.js'),
    );
    expect([...checked].sort()).toEqual(expected.sort());
  });

  it('runs the gateway with its Node flags, probes on the primary’s health port, and a drain within its grace period', () => {
    const { workload, container } = theGateway(all);
    expect(container.command).toEqual(['node', ...GATEWAY_NODE_FLAGS, GATEWAY_SCRIPT]);
    // With one worker there is no primary, and nothing answers on HEALTH_PORT.
    expect(Number(envValue(container, 'WORKERS'))).toBeGreaterThan(1);
    const healthPort = Number(envValue(container, 'HEALTH_PORT'));
    const probe = (which: 'startupProbe' | 'livenessProbe' | 'readinessProbe') => ({
      path: container[which]?.httpGet?.path,
      port: portNumber(container, container[which]?.httpGet?.port),
    });
    expect({
      startup: probe('startupProbe'),
      liveness: probe('livenessProbe'),
      readiness: probe('readinessProbe'),
    }).toEqual({
      startup: { path: '/healthz', port: healthPort },
      liveness: { path: '/healthz', port: healthPort },
      readiness: { path: '/readyz', port: healthPort },
    });

    const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
    const preStopSeconds = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
    const graceSeconds = Number(envValue(container, 'SHUTDOWN_GRACE_MS')) / 1000;
    const drainSeconds = Number(envValue(container, 'SHUTDOWN_DRAIN_DELAY_MS')) / 1000;
    expect(graceSeconds).toBeGreaterThan(0);
    expect(drainSeconds).toBeGreaterThan(0);
    expect(workload.pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
      preStopSeconds + drainSeconds + graceSeconds + FLUSH_MARGIN_S,
    );

    const port = Number(envValue(container, 'PORT'));
    expect(serviceTarget(find(objects, 'Service', 'gateway'), port, workload)).toBe(port);
    const ingress = find(objects, 'Ingress', 'gateway')['spec'] as {
      rules: { http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] } }[];
    };
    const backends = ingress.rules.flatMap((rule) => rule.http.paths.map((path) => path.backend.service));
    expect(backends).toEqual([{ name: 'gateway', port: { name: 'http' } }]);
  });

  it('lets through the ingress every body and every wait the gateway answers itself, so a refusal is its coded one', async () => {
    const { workload, container } = theGateway(all);
    const resolved = await resolveEnv(objects, workload.pod, container, 'gateway-5d8f7c9b6-x2x8k');
    const defaults = new Map(describeConfig(loadGatewayConfig).map((variable) => [variable.name, variable.default]));
    const setting = (name: string) => Number(resolved.env[name] ?? defaults.get(name));
    await resolved.dispose();
    const annotations = find(objects, 'Ingress', 'gateway').metadata.annotations ?? {};
    const nginxBytes = (size: string | undefined) => {
      const [, count, unit] = /^(\d+)([km]?)$/i.exec(size ?? '') ?? [];
      return Number(count) * { '': 1, k: 1024, m: 1024 * 1024 }[(unit ?? '').toLowerCase() as '' | 'k' | 'm'];
    };
    const bodies = Math.max(setting('BODY_LIMIT_BYTES'), setting('REPORT_UPLOAD_LIMIT_BYTES'));
    expect(bodies).toBeGreaterThan(0);
    expect(nginxBytes(annotations['nginx.ingress.kubernetes.io/proxy-body-size'])).toBeGreaterThanOrEqual(bodies);
    // The gateway answers every request within REQUEST_TIMEOUT_MS, with SOURCE_TIMEOUT if need be.
    for (const timeout of ['proxy-read-timeout', 'proxy-send-timeout'])
      expect([
        timeout,
        Number(annotations[`nginx.ingress.kubernetes.io/${timeout}`]) * 1000 > setting('REQUEST_TIMEOUT_MS'),
      ]).toEqual([timeout, true]);
  });

  it('scales the gateway by its autoscaler across zones, each pod with its own register chain on PostgreSQL', () => {
    const { workload, container } = theGateway(all);
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'gateway')['spec'] as {
      scaleTargetRef: unknown;
      minReplicas: number;
      maxReplicas: number;
    };
    expect(hpa.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' });
    expect(hpa.maxReplicas).toBeGreaterThan(hpa.minReplicas);
    // The autoscaler owns the count; a replicas field would reset it at every apply.
    expect((workload.object['spec'] as { replicas?: number }).replicas).toBeUndefined();

    const pdb = find(objects, 'PodDisruptionBudget', 'gateway')['spec'] as {
      selector: LabelSelector;
      maxUnavailable?: number;
    };
    expect(selects(pdb.selector, workload.labels)).toBe(true);
    expect(pdb.maxUnavailable).toBe(1);

    const zones = workload.pod.topologySpreadConstraints?.find(
      (constraint) => constraint.topologyKey === 'topology.kubernetes.io/zone',
    );
    expect(selects(zones?.labelSelector, workload.labels) && zones?.labelSelector !== undefined).toBe(true);
    expect(zones?.whenUnsatisfiable).toBe(overlay === 'production' ? 'DoNotSchedule' : 'ScheduleAnyway');
    if (overlay === 'production') expect(hpa.minReplicas).toBeGreaterThanOrEqual(6);

    // Replicas share one register only on PostgreSQL, each writing its own chain.
    const variable = (name: string) => container.env?.find((candidate) => candidate.name === name);
    expect(variable('REGISTER_WRITER_ID')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(variable('REGISTER_DATABASE_URL')).toBeDefined();
    expect(variable('REGISTER_DIR')).toBeUndefined();
  });

  it('believes X-Forwarded-For from the ingress controller only, so each caller behind it has its own budgets', async () => {
    const { workload, container } = theGateway(all);
    const proxies = container.env?.find((variable) => variable.name === 'TRUSTED_PROXIES');
    const source = proxies?.valueFrom?.configMapKeyRef;
    expect(source?.key).toBe('trusted-proxies');
    expect(
      generatedFrom({ kind: 'ConfigMap', metadata: { name: source?.name ?? '' } } as KubeObject, 'ingress-network'),
    ).toBe(true);
    const resolved = await resolveEnv(objects, workload.pod, container, 'gateway-5d8f7c9b6-x2x8k');
    try {
      const entries = (resolved.env['TRUSTED_PROXIES'] ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
      expect(entries.length).toBeGreaterThan(0);
      const trusted = TrustedProxies.parse(entries);
      expect(Array.isArray(trusted) ? trusted : []).toEqual([]);
      // Each caller's share of bodies and uploads is on; the connection cap, which only sees the
      // controller's address, is off.
      expect({
        bodies: resolved.env['BODY_BUDGET_PER_ADDRESS_BYTES'] ?? 'default',
        uploads: resolved.env['REPORT_MAX_UPLOADS_PER_ADDRESS'] ?? 'default',
        connections: resolved.env['MAX_CONNECTIONS_PER_ADDRESS'],
      }).toEqual({ bodies: 'default', uploads: 'default', connections: '0' });
      if (overlay === 'development') {
        const config = loadGatewayConfig(resolved.env);
        expect(config.trustedProxies.entries).toEqual(entries);
        expect(config.bodyBudget.perAddressBytes).toBeGreaterThan(0);
        expect(config.report.maxUploadsPerAddress).toBeGreaterThan(0);
      }
    } finally {
      await resolved.dispose();
    }
  });

  it('points the gateway at a Service of every subgraph', () => {
    const { container } = theGateway(all);
    const routes = SUBGRAPH_NAMES.map((name) => {
      const url = new URL(envValue(container, `SUBGRAPH_${envName(name)}_URL`) ?? 'http://missing');
      const runners = runnersOf(all, `subgraphs/${name}/dist/index.js`);
      const subgraph = runners[0]!;
      const service = objects.find((object) => object.kind === 'Service' && object.metadata.name === url.hostname);
      return {
        name,
        runners: runners.length,
        path: url.pathname,
        reaches: service
          ? serviceTarget(service, Number(url.port), subgraph.workload) === Number(envValue(subgraph.container, 'PORT'))
          : `no Service ${url.hostname}`,
      };
    });
    expect(routes).toEqual(SUBGRAPH_NAMES.map((name) => ({ name, runners: 1, path: '/graphql', reaches: true })));
  });

  it('lets only the gateway reach a subgraph', () => {
    const nps = policies(objects);
    const outside: Endpoint[] = [
      {
        name: 'ingress-nginx',
        namespace: 'ingress-nginx',
        namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
        labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      },
      // Labelled as the gateway, in another namespace.
      {
        name: 'impostor',
        namespace: 'elsewhere',
        namespaceLabels: { 'kubernetes.io/metadata.name': 'elsewhere' },
        labels: pod('gateway').labels!,
      },
      { name: 'the internet', ip: '203.0.113.50' },
    ];
    for (const name of SUBGRAPH_NAMES) {
      const subgraph = pod(`subgraph-${name}`);
      const port = { port: subgraph.ports!.find((candidate) => candidate.name === 'http')!.containerPort };
      // Its GraphQL port; the metrics port is Prometheus's (checked below).
      expect(onlyReachableFrom(nps, subgraph, pod('gateway'), pods, port)).toEqual([]);
      const reaching = [...pods, ...outside].filter(
        (source) => source !== subgraph && connects(nps, source, subgraph, port),
      );
      expect(reaching.map((source) => source.name)).toEqual(['gateway']);
    }
  });

  it('serves metrics on a port of their own that only Prometheus reaches, and no Service exposes', () => {
    const nps = policies(objects);
    const prometheus: Endpoint = {
      name: 'prometheus',
      namespace: 'monitoring',
      namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
      labels: { 'app.kubernetes.io/name': 'prometheus' },
    };
    const controller: Endpoint = {
      name: 'ingress-nginx',
      namespace: 'ingress-nginx',
      namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
      labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
    };
    const services = objects.filter((object) => object.kind === 'Service');
    const scripts = [GATEWAY_SCRIPT, ...SUBGRAPH_NAMES.map((name) => `subgraphs/${name}/dist/index.js`)];
    for (const script of scripts) {
      for (const { workload, container } of runnersOf(all, script)) {
        const metricsPort = Number(envValue(container, 'METRICS_PORT'));
        expect(metricsPort, workload.name).toBeGreaterThan(0);
        expect(metricsPort, workload.name).not.toBe(Number(envValue(container, 'PORT')));
        expect(envValue(container, 'METRICS_HOST'), workload.name).toBe('0.0.0.0');
        expect(portNumber(container, 'metrics'), workload.name).toBe(metricsPort);
        const template = (
          workload.object['spec'] as { template: { metadata?: { annotations?: Record<string, string> } } }
        ).template;
        expect(template.metadata?.annotations, workload.name).toMatchObject({
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': String(metricsPort),
          'prometheus.io/path': '/metrics',
        });
        // No Service port leads to it: it is reached on the pod only, by the scraper.
        for (const service of services) {
          const ports = (service['spec'] as ServiceSpec).ports.map((entry) => entry.port);
          for (const port of ports)
            expect(serviceTarget(service, port, workload), service.metadata.name).not.toBe(metricsPort);
        }
        const target = pod(workload.name);
        const reaching = [...pods, controller, prometheus]
          .filter((source) => source !== target && connects(nps, source, target, { port: metricsPort }))
          .map((source) => source.name);
        expect(reaching, workload.name).toEqual(['prometheus']);
      }
    }
  });

  it('opens what the system needs, and nothing towards other addresses', () => {
    const nps = policies(objects);
    const reachers = (destination: Endpoint, port: number) =>
      pods.filter((source) => connects(nps, source, destination, { port })).map((source) => source.name);
    const controller: Endpoint = {
      name: 'ingress-nginx',
      namespace: 'ingress-nginx',
      namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
      labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
    };
    const dns: Endpoint = {
      name: 'kube-dns',
      namespace: 'kube-system',
      namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
      labels: { 'k8s-app': 'kube-dns' },
      ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }],
    };
    const gatewayPort = Number(envValue(theGateway(all).container, 'PORT'));
    expect(connects(nps, controller, pod('gateway'), { port: gatewayPort })).toBe(true);
    expect(pods.filter((source) => !connects(nps, source, dns, { port: 53, protocol: 'UDP' }))).toEqual([]);

    expect(reachers(pod('redis-cluster'), 6379).sort()).toEqual(['gateway', 'redis-cluster', 'redis-cluster-create']);
    expect(reachers(pod('redis-cluster'), 16379)).toEqual(['redis-cluster']);
    expect(reachers(pod('cache-redis'), 6379)).toEqual(['gateway']);

    const databaseClients = ['gateway', 'subgraph-credit', 'subgraph-social-security'];
    const departments: [string, string][] = [
      ['subgraph-market', 'stand-in-market'],
      ['subgraph-tax', 'stand-in-tax'],
      ['subgraph-courts', 'stand-in-courts'],
      ['subgraph-procurement', 'stand-in-procurement'],
      ['subgraph-credit', 'stand-in-courts'],
    ];
    if (overlay === 'development') {
      expect(reachers(pod('postgres'), 5432).sort()).toEqual([...databaseClients, 'frontdb-seed'].sort());
      for (const [subgraph, standIn] of departments) {
        const port = pod(standIn).ports![0]!.containerPort;
        expect(reachers(pod(standIn), port)).toContain(subgraph);
      }
    } else {
      for (const client of databaseClients) expect(egressBlocks(nps, pod(client), { port: 5432 })).not.toEqual([]);
      for (const [subgraph] of departments) expect(egressBlocks(nps, pod(subgraph), { port: 443 })).not.toEqual([]);
      // The outbox's webhook deliveries reach the departments' receivers, from the credit subgraph only.
      const receiver: Endpoint = { name: 'a department webhook receiver', ip: '198.51.100.130' };
      expect(reachers(receiver, 443)).toEqual(['subgraph-credit']);
    }
    const anywhere: Endpoint = { name: 'the internet', ip: '203.0.113.50' };
    for (const port of [443, 5432, 6379])
      expect(pods.filter((source) => connects(nps, source, anywhere, { port })).map((source) => source.name)).toEqual(
        [],
      );
  });

  it('keeps the rate limits in a six-node Redis Cluster that never evicts, the cache in a Redis that does', async () => {
    const { container: gateway } = theGateway(all);
    const config = (workload: Workload) => redisConfig(envValue(workload.pod.containers[0]!, 'REDIS_CONFIG') ?? '');
    const cluster = findWorkload(all, 'StatefulSet', 'redis-cluster');
    const cache = findWorkload(all, 'Deployment', 'cache-redis');
    const create = findWorkload(all, 'Job', 'redis-cluster-create');
    expect(config(cluster).get('maxmemory-policy')).toBe('noeviction');
    expect(config(cluster).get('cluster-enabled')).toBe('yes');
    expect(config(cache).get('maxmemory-policy')).toBe('allkeys-lru');
    expect(config(cache).get('cluster-enabled')).toBeUndefined();
    const replicas = (cluster.object['spec'] as { replicas: number }).replicas;
    expect(replicas).toBe(6);
    expect(Number(envValue(create.pod.containers[0]!, 'REDIS_CLUSTER_NODES'))).toBe(replicas);
    for (const redis of [cluster, cache]) {
      const limit = kubernetesBytes(redis.pod.containers[0]!.resources!.limits!['memory']!);
      expect(redisBytes(config(redis).get('maxmemory') ?? '0')).toBeLessThan(limit);
    }
    // The gateway stops writing to the cache before Redis starts evicting.
    expect(Number(envValue(gateway, 'CACHE_REDIS_MAX_BYTES'))).toBeLessThan(
      redisBytes(config(cache).get('maxmemory') ?? '0'),
    );
    expect([envValue(gateway, 'REDIS_CLUSTER'), envValue(gateway, 'CACHE_REDIS_CLUSTER')]).toEqual(['true', 'false']);

    if (overlay === 'development') {
      const { workload } = theGateway(all);
      const resolved = await resolveEnv(objects, workload.pod, gateway, 'gateway-0');
      await resolved.dispose();
      const serviceOf = (url: string) => find(objects, 'Service', new URL(url).hostname);
      expect(serviceTarget(serviceOf(resolved.env['REDIS_URL']!), 6379, cluster)).toBe(6379);
      expect(serviceTarget(serviceOf(resolved.env['CACHE_REDIS_URL']!), 6379, cache)).toBe(6379);
    }
  });

  it('runs one credit subgraph, stopped before its successor starts: its store has one writer', () => {
    const runners = runnersOf(all, 'subgraphs/credit/dist/index.js');
    expect(runners).toHaveLength(1);
    const { workload } = runners[0]!;
    const spec = workload.object['spec'] as { replicas: number; strategy: { type: string } };
    expect([spec.replicas, spec.strategy.type]).toEqual([1, 'Recreate']);
    // No budget to hold a node drain on the one pod, and no autoscaler to add a second writer.
    const guards = objects.filter(
      (object) =>
        ['PodDisruptionBudget', 'HorizontalPodAutoscaler'].includes(object.kind) &&
        object.metadata.name === workload.name,
    );
    expect(guards).toEqual([]);
  });

  it('keeps the credit subgraph’s person index durable under a mounted secret, and its webhooks to the allowed hosts', async () => {
    const { workload, container } = runnersOf(all, 'subgraphs/credit/dist/index.js')[0]!;
    const keyFile = envValue(container, 'CREDIT_PERSON_INDEX_KEY_FILE') ?? '';
    const mount = container.volumeMounts?.find((candidate) => keyFile.startsWith(`${candidate.mountPath}/`));
    const volume = workload.pod.volumes?.find((candidate) => candidate.name === mount?.name);
    const secret = volume?.secret?.secretName ?? '';
    expect({
      readOnly: mount?.readOnly,
      secret: generatedFrom({ kind: 'Secret', metadata: { name: secret } } as KubeObject, 'credit-person-index'),
    }).toEqual({
      readOnly: true,
      secret: true,
    });
    // Never the key itself in a variable.
    expect(container.env?.some((variable) => variable.name === 'CREDIT_PERSON_INDEX_KEY')).toBe(false);
    const hosts = container.env?.find((variable) => variable.name === 'OUTBOX_ALLOWED_HOSTS');
    const source = hosts?.valueFrom?.configMapKeyRef;
    expect(source?.key).toBe('outbox-allowed-hosts');
    expect(
      generatedFrom(
        { kind: 'ConfigMap', metadata: { name: source?.name ?? '' } } as KubeObject,
        'department-endpoints',
      ),
    ).toBe(true);

    const resolved = await resolveEnv(objects, workload.pod, container, 'subgraph-credit-5d8f7c9b6-x2x8k');
    try {
      const allowed = (resolved.env['OUTBOX_ALLOWED_HOSTS'] ?? '').split(',').filter((host) => host !== '');
      expect(allowed.length).toBeGreaterThan(0);
      expect(allowed.every((host) => /^\.?[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host))).toBe(true);
      if (overlay === 'development') {
        const config = loadCreditConfig(resolved.env) as { personIndexKey?: string; outboxAllowedHosts: string[] };
        expect(config.personIndexKey?.length).toBeGreaterThanOrEqual(32);
        expect(config.outboxAllowedHosts).toEqual(allowed);
      }
    } finally {
      await resolved.dispose();
    }
  });

  it('holds no secret in the repository: production renders none, development generates each one a pod uses', () => {
    const secrets = objects.filter((object) => object.kind === 'Secret');
    const used = new Set(
      all.flatMap(({ pod }) => [
        ...(pod.volumes ?? []).flatMap((volume) => (volume.secret ? [volume.secret.secretName] : [])),
        ...pod.containers.flatMap((container) =>
          (container.env ?? []).flatMap((variable) => variable.valueFrom?.secretKeyRef?.name ?? []),
        ),
      ]),
    );
    if (overlay === 'production') {
      expect(secrets).toEqual([]);
      expect(used.size).toBeGreaterThanOrEqual(8);
    } else {
      expect([...used].filter((name) => !secrets.some((secret) => secret.metadata.name === name))).toEqual([]);
      const generated = [
        'gateway-keys',
        'gateway-public-key',
        'gateway-register',
        'credit-outbox-key',
        'credit-person-index',
      ];
      for (const name of generated) expect(secrets.some((secret) => generatedFrom(secret, name))).toBe(true);
    }
  });
});
