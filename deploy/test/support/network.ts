import type { KubeObject } from './render.js';
import {
  containersOf,
  selects,
  type ContainerPort,
  type LabelSelector,
  type Labels,
  type Workload,
} from './workloads.js';

/**
 * The NetworkPolicy semantics the checks need, after the Kubernetes documentation: a pod selected
 * by no policy of a direction is open in that direction; once selected, only what some rule of
 * some selecting policy allows passes; a connection between two pods needs the source's egress
 * and the destination's ingress. Traffic from a pod's own node (the kubelet's probes) is always
 * allowed and is not modelled.
 */

interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

interface PolicyRule {
  from?: PolicyPeer[];
  to?: PolicyPeer[];
  ports?: PolicyPort[];
}

interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

export interface Policy {
  name: string;
  namespace: string;
  spec: PolicySpec;
}

/** A pod (labels in a namespace) or an address outside the cluster. */
export interface Endpoint {
  name: string;
  namespace?: string;
  namespaceLabels?: Labels;
  labels?: Labels;
  ip?: string;
  ports?: ContainerPort[];
}

export interface Port {
  port: number;
  protocol?: string;
}

export function policies(objects: readonly KubeObject[]): Policy[] {
  return objects
    .filter((object) => object.kind === 'NetworkPolicy')
    .map((object) => ({
      name: object.metadata.name,
      namespace: object.metadata.namespace ?? 'default',
      spec: object['spec'] as PolicySpec,
    }));
}

/** The pods of each workload, in `namespace`, with the ports their containers declare. */
export function podEndpoints(all: readonly Workload[], namespace: string): Endpoint[] {
  return all.map((workload) => ({
    name: workload.name,
    namespace,
    namespaceLabels: { 'kubernetes.io/metadata.name': namespace },
    labels: workload.labels,
    ports: containersOf(workload.pod).flatMap((container) => container.ports ?? []),
  }));
}

function ipv4(address: string): number {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255))
    throw new Error(`not an IPv4 address: ${address}`);
  return parts.reduce((value, part) => value * 256 + part, 0);
}

export function inCidr(address: string, cidr: string): boolean {
  const [network = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4(network) / size) * size;
  const value = ipv4(address);
  return value >= start && value < start + size;
}

function peerMatches(peer: PolicyPeer, policy: Policy, endpoint: Endpoint): boolean {
  if (peer.ipBlock) {
    const { cidr, except = [] } = peer.ipBlock;
    return (
      endpoint.ip !== undefined && inCidr(endpoint.ip, cidr) && !except.some((block) => inCidr(endpoint.ip!, block))
    );
  }
  if (endpoint.labels === undefined) return false;
  const namespaceMatches = peer.namespaceSelector
    ? selects(peer.namespaceSelector, endpoint.namespaceLabels ?? {})
    : endpoint.namespace === policy.namespace;
  return namespaceMatches && selects(peer.podSelector, endpoint.labels);
}

function portMatches(ports: PolicyPort[] | undefined, target: Port, destination: Endpoint): boolean {
  if (!ports || ports.length === 0) return true;
  const protocol = target.protocol ?? 'TCP';
  return ports.some((rule) => {
    if ((rule.protocol ?? 'TCP') !== protocol) return false;
    if (rule.port === undefined) return true;
    if (typeof rule.port === 'string')
      return (destination.ports ?? []).some(
        (port) =>
          port.name === rule.port && port.containerPort === target.port && (port.protocol ?? 'TCP') === protocol,
      );
    return target.port >= rule.port && target.port <= (rule.endPort ?? rule.port);
  });
}

function typesOf(spec: PolicySpec): ('Ingress' | 'Egress')[] {
  return spec.policyTypes ?? (spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
}

/** The policies that select `endpoint` (a pod) for a direction. */
export function selecting(all: readonly Policy[], endpoint: Endpoint, direction: 'Ingress' | 'Egress'): Policy[] {
  if (endpoint.labels === undefined) return [];
  return all.filter(
    (policy) =>
      policy.namespace === endpoint.namespace &&
      typesOf(policy.spec).includes(direction) &&
      selects(policy.spec.podSelector, endpoint.labels!),
  );
}

function allows(
  all: readonly Policy[],
  subject: Endpoint,
  other: Endpoint,
  port: Port,
  destination: Endpoint,
  direction: 'Ingress' | 'Egress',
): boolean {
  // Only pods of the namespace the policies are in are isolated by them.
  if (subject.labels === undefined || !all.some((policy) => policy.namespace === subject.namespace)) return true;
  const applying = selecting(all, subject, direction);
  if (applying.length === 0) return true;
  return applying.some((policy) =>
    (direction === 'Ingress' ? policy.spec.ingress : policy.spec.egress)?.some((rule) => {
      const peers = direction === 'Ingress' ? rule.from : rule.to;
      const peerOk = !peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, policy, other));
      return peerOk && portMatches(rule.ports, port, destination);
    }),
  );
}

/** Whether `source` can open a connection to `destination` on `port`. */
export function connects(all: readonly Policy[], source: Endpoint, destination: Endpoint, port: Port): boolean {
  return (
    allows(all, source, destination, port, destination, 'Egress') &&
    allows(all, destination, source, port, destination, 'Ingress')
  );
}

/** A peer an ingress rule lets in, and the policy whose rule it is. */
interface IngressPeer {
  policy: string;
  peer: PolicyPeer | 'any';
}

/**
 * Every peer that some ingress rule of a policy selecting `endpoint` lets in (on `port`, when
 * given); `any` for a rule without `from`.
 */
export function ingressPeers(all: readonly Policy[], endpoint: Endpoint, port?: Port): IngressPeer[] {
  return selecting(all, endpoint, 'Ingress').flatMap((policy) =>
    (policy.spec.ingress ?? []).flatMap((rule): IngressPeer[] =>
      port && !portMatches(rule.ports, port, endpoint)
        ? []
        : !rule.from || rule.from.length === 0
          ? [{ policy: policy.name, peer: 'any' as const }]
          : rule.from.map((peer) => ({ policy: policy.name, peer })),
    ),
  );
}

/** The address blocks `source` may reach on `port`, by its egress rules. */
export function egressBlocks(all: readonly Policy[], source: Endpoint, port: Port): string[] {
  const outside: Endpoint = { name: 'outside', ports: [] };
  return selecting(all, source, 'Egress').flatMap((policy) =>
    (policy.spec.egress ?? []).flatMap((rule) =>
      portMatches(rule.ports, port, outside)
        ? (rule.to ?? []).flatMap((peer) => (peer.ipBlock ? [peer.ipBlock.cidr] : []))
        : [],
    ),
  );
}

/**
 * Why anything but the pods of `allowed` could reach `endpoint` (on `port`, when given, or on any
 * port): it is not isolated, a rule lets
 * anything in, a peer names an address block or other namespaces, or a pod selector also selects
 * (or does not select) another workload. Empty when only `allowed` can.
 */
export function onlyReachableFrom(
  all: readonly Policy[],
  endpoint: Endpoint,
  allowed: Endpoint,
  pods: readonly Endpoint[],
  port?: Port,
): string[] {
  if (selecting(all, endpoint, 'Ingress').length === 0)
    return [`${endpoint.name}: no NetworkPolicy isolates it for ingress`];
  return ingressPeers(all, endpoint, port).flatMap(({ policy, peer }) => {
    const at = `${endpoint.name}, NetworkPolicy ${policy}`;
    if (peer === 'any') return [`${at}: a rule without 'from' lets anything in`];
    if (peer.ipBlock) return [`${at}: lets in addresses ${peer.ipBlock.cidr}`];
    if (peer.namespaceSelector) return [`${at}: lets in pods of other namespaces`];
    const others = pods.filter((pod) => pod.name !== allowed.name && selects(peer.podSelector, pod.labels ?? {}));
    const problems = others.map((pod) => `${at}: lets in ${pod.name}`);
    if (!selects(peer.podSelector, allowed.labels ?? {})) problems.push(`${at}: a peer that is not ${allowed.name}`);
    return problems;
  });
}
