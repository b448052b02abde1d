import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig as loadGatewayConfig } from '@credit-gateway/gateway';
import { loadConfig as loadCreditConfig } from '@credit-gateway/subgraph-credit';
import { readByConfig, resolveEnv, unreadVariables } from './support/config-env.js';
import { hardeningProblems } from './support/hardening.js';
import { connects, onlyReachableFrom, podEndpoints, policies, type Endpoint } from './support/network.js';
import { renderOverlay, type KubeObject } from './support/render.js';
import { schemaProblems } from './support/schema.js';
import { findWorkload, workloads, type Container, type PodSpec } from './support/workloads.js';

// Each check of kubernetes.test.ts, shown to catch what it is for on a broken copy of the
// development overlay, so that a green run of those tests means something.

let rendered: KubeObject[];

beforeAll(async () => {
  rendered = await renderOverlay('development');
}, 60_000);

/** A copy of the rendered objects, and the gateway's pod and container in it. */
function broken(): { objects: KubeObject[]; pod: PodSpec; gateway: Container } {
  const objects = structuredClone(rendered);
  const { pod } = findWorkload(workloads(objects), 'Deployment', 'gateway');
  return { objects, pod, gateway: pod.containers[0]! };
}

describe('the schema check', () => {
  it('reports a misspelled field, a field where it does not belong, and a wrong type', async () => {
    const { objects, pod, gateway } = broken();
    delete gateway.securityContext;
    (gateway as unknown as Record<string, unknown>)['securityContxt'] = { runAsNonRoot: true };
    (pod as unknown as Record<string, unknown>)['readinessProbe'] = gateway.readinessProbe;
    const deployment = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === 'gateway')!;
    (deployment['spec'] as Record<string, unknown>)['revisionHistoryLimit'] = 'five';
    expect(await schemaProblems(objects)).toEqual([
      'Deployment/gateway: /spec/revisionHistoryLimit type {"type":"integer"}',
      'Deployment/gateway: /spec/template/spec/readinessProbe is not a field of Deployment',
      'Deployment/gateway: /spec/template/spec/containers/0/securityContxt is not a field of Deployment',
    ]);
  });

  it('reports a kind it has no schema for', async () => {
    const object: KubeObject = { apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'gateway' } };
    expect(await schemaProblems([object])).toEqual(['Deploymnet/gateway: no Kubernetes schema for apps/v1 Deploymnet']);
  });
});

describe('the hardening check', () => {
  it('reports a container that may run as root, writes its root file system or keeps capabilities', () => {
    const { objects, pod, gateway } = broken();
    delete pod.securityContext!.runAsNonRoot;
    delete gateway.securityContext!.runAsNonRoot;
    gateway.securityContext!.readOnlyRootFilesystem = false;
    gateway.securityContext!.capabilities = { add: ['NET_ADMIN'] };
    delete pod.automountServiceAccountToken;
    expect(hardeningProblems(findWorkload(workloads(objects), 'Deployment', 'gateway'))).toEqual([
      'Deployment/gateway: mounts a service account token (automountServiceAccountToken)',
      'Deployment/gateway gateway: runAsNonRoot is not true',
      'Deployment/gateway gateway: readOnlyRootFilesystem is not true',
      'Deployment/gateway gateway: does not drop ALL capabilities',
      'Deployment/gateway gateway: adds capabilities',
    ]);
  });

  it('reports a Deployment without probes or resources, and an image without a tag', () => {
    const { objects, gateway } = broken();
    delete gateway.livenessProbe;
    delete gateway.readinessProbe;
    delete gateway.resources!.limits;
    gateway.image = 'credit-gateway';
    expect(hardeningProblems(findWorkload(workloads(objects), 'Deployment', 'gateway'))).toEqual([
      'Deployment/gateway gateway: no resources.limits.cpu',
      'Deployment/gateway gateway: no resources.limits.memory',
      "Deployment/gateway gateway: image 'credit-gateway' is not pinned to a tag or digest",
      'Deployment/gateway gateway: no livenessProbe',
      'Deployment/gateway gateway: no readinessProbe',
    ]);
  });
});

describe('the network policy check', () => {
  /**
   * The structural check of the subgraph's ingress, and who connects: the namespace's pods (whose
   * egress is denied but where allowed), a pod of another namespace and an address outside.
   */
  function subgraphReach(objects: KubeObject[]): { structure: string[]; reaching: string[] } {
    const pods = podEndpoints(workloads(objects), 'credit-gateway-dev');
    const market = pods.find((pod) => pod.name === 'subgraph-market')!;
    const gateway = pods.find((pod) => pod.name === 'gateway')!;
    const nps = policies(objects);
    const elsewhere: Endpoint = { name: 'elsewhere', namespace: 'elsewhere', namespaceLabels: {}, labels: {} };
    const outside: Endpoint = { name: 'outside', ip: '10.1.2.3' };
    const reaching = [...pods, elsewhere, outside].filter(
      (pod) => pod !== market && connects(nps, pod, market, { port: 4001 }),
    );
    return {
      structure: onlyReachableFrom(nps, market, gateway, pods, { port: 4001 }),
      reaching: reaching.map((pod) => pod.name),
    };
  }

  it('finds only the gateway reaching a subgraph in the overlay as it is', () => {
    expect(subgraphReach(structuredClone(rendered))).toEqual({ structure: [], reaching: ['gateway'] });
  });

  it('reports a policy that lets another pod, another namespace or any address reach a subgraph', () => {
    const { objects } = broken();
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'too-open', namespace: 'credit-gateway-dev' },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'subgraph-market' } },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'stand-in-market' } } }] },
          { from: [{ namespaceSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8' } }] },
        ],
      },
    });
    expect(subgraphReach(objects)).toEqual({
      structure: [
        'subgraph-market, NetworkPolicy too-open: lets in stand-in-market',
        'subgraph-market, NetworkPolicy too-open: a peer that is not gateway',
        'subgraph-market, NetworkPolicy too-open: lets in pods of other namespaces',
        'subgraph-market, NetworkPolicy too-open: lets in addresses 10.0.0.0/8',
      ],
      // The stand-in's own egress is denied: the structural check still reports the rule.
      reaching: ['gateway', 'elsewhere', 'outside'],
    });
  });

  it('reports a subgraph that no policy isolates', () => {
    const objects = structuredClone(rendered).filter(
      (object) =>
        !(object.kind === 'NetworkPolicy' && ['subgraphs', 'default-deny', 'metrics'].includes(object.metadata.name)),
    );
    const { structure, reaching } = subgraphReach(objects);
    expect(structure).toEqual(['subgraph-market: no NetworkPolicy isolates it for ingress']);
    expect(reaching).toEqual(['gateway', 'elsewhere', 'outside']);
  });

  it('tells a pod of another namespace from one of its own, and an address inside a block from one outside', () => {
    const nps = policies(structuredClone(rendered));
    const pods = podEndpoints(workloads(rendered), 'credit-gateway-dev');
    const market = pods.find((pod) => pod.name === 'subgraph-market')!;
    const gateway = pods.find((pod) => pod.name === 'gateway')!;
    const impostor: Endpoint = { ...gateway, name: 'impostor', namespace: 'elsewhere', namespaceLabels: {} };
    expect([connects(nps, gateway, market, { port: 4001 }), connects(nps, impostor, market, { port: 4001 })]).toEqual([
      true,
      false,
    ]);
    expect(connects(nps, gateway, market, { port: 4002 })).toBe(false);
  });
});

describe('the configuration check', () => {
  it('reports a variable the gateway does not read, and a pod that adds service links', async () => {
    const { objects, pod, gateway } = broken();
    gateway.env!.push({ name: 'GATEWAY_SIGNING_KEY_PATH', value: '/etc/credit-gateway/keys/gateway.private.jwk.json' });
    gateway.env!.push({ name: 'REGISTER_WRITER', value: 'gateway-1' });
    delete pod.enableServiceLinks;
    const resolved = await resolveEnv(objects, pod, gateway, 'gateway-5d8f7c9b6-x2x8k');
    try {
      const { read, error } = readByConfig(loadGatewayConfig, resolved.env);
      expect(error).toBeUndefined();
      expect(unreadVariables(gateway, pod, read)).toEqual([
        'gateway: GATEWAY_SIGNING_KEY_PATH is not read by its configuration',
        'gateway: REGISTER_WRITER is not read by its configuration',
        'gateway: service links would add variables (enableServiceLinks: false)',
      ]);
    } finally {
      await resolved.dispose();
    }
  });

  it('hands the gateway’s configuration the files its Secret volumes hold, so that a bad key is refused', async () => {
    const { objects, pod, gateway } = broken();
    const secret = objects.find(
      (object) => object.kind === 'Secret' && object.metadata.name.startsWith('gateway-keys'),
    )!;
    (secret['data'] as Record<string, string>)['gateway.private.jwk.json'] = Buffer.from('{}').toString('base64');
    const resolved = await resolveEnv(objects, pod, gateway, 'gateway-5d8f7c9b6-x2x8k');
    try {
      const { error } = readByConfig(loadGatewayConfig, resolved.env);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain('GATEWAY_SIGNING_KEY_FILE is not a usable Ed25519 private key');
    } finally {
      await resolved.dispose();
    }
  });

  it('refuses a credit subgraph whose person index key is not mounted, or too short to be a secret', async () => {
    const configError = async (objects: KubeObject[]) => {
      const { pod } = findWorkload(workloads(objects), 'Deployment', 'subgraph-credit');
      const resolved = await resolveEnv(objects, pod, pod.containers[0]!, 'subgraph-credit-5d8f7c9b6-x2x8k');
      try {
        const { error } = readByConfig(loadCreditConfig, resolved.env);
        return error instanceof Error ? error.message : String(error);
      } finally {
        await resolved.dispose();
      }
    };
    const unmounted = structuredClone(rendered);
    const { pod } = findWorkload(workloads(unmounted), 'Deployment', 'subgraph-credit');
    pod.containers[0]!.volumeMounts = pod.containers[0]!.volumeMounts!.filter(
      (mount) => mount.name !== 'person-index-key',
    );
    expect(await configError(unmounted)).toContain('CREDIT_PERSON_INDEX_KEY_FILE cannot be read');

    const short = structuredClone(rendered);
    const secret = short.find(
      (object) => object.kind === 'Secret' && object.metadata.name.startsWith('credit-person-index'),
    )!;
    (secret['data'] as Record<string, string>)['person-index.key'] = Buffer.from('short').toString('base64');
    expect(await configError(short)).toContain('CREDIT_PERSON_INDEX_KEY must be at least 32 characters');
  });
});
