import { nameOf, type KubeObject } from './render.js';

// The parts of the Kubernetes types the checks read. The schemas (schema.ts) check the rest.
export type Labels = Record<string, string>;

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Probe {
  httpGet?: { path?: string; port: number | string };
  exec?: { command: string[] };
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: ContainerPort[];
  env?: EnvVar[];
  envFrom?: unknown[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface Volume {
  name: string;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  configMap?: { name: string; items?: { key: string; path: string }[] };
  hostPath?: unknown;
  emptyDir?: unknown;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  securityContext?: SecurityContext & { runAsUser?: number };
  automountServiceAccountToken?: boolean;
  enableServiceLinks?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  terminationGracePeriodSeconds?: number;
  topologySpreadConstraints?: { topologyKey: string; whenUnsatisfiable: string; labelSelector?: LabelSelector }[];
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Something that runs pods: its kind, name, pod labels and pod spec. */
export interface Workload {
  object: KubeObject;
  kind: string;
  name: string;
  labels: Labels;
  pod: PodSpec;
  /** Runs for good, so the kubelet must know whether it lives and is ready (not a Job). */
  longRunning: boolean;
}

interface PodTemplate {
  metadata?: { labels?: Labels };
  spec: PodSpec;
}

export function workloads(objects: readonly KubeObject[]): Workload[] {
  return objects.flatMap((object): Workload[] => {
    const spec = object['spec'] as { template?: PodTemplate } | undefined;
    if (!['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(object.kind) || !spec?.template) return [];
    return [
      {
        object,
        kind: object.kind,
        name: object.metadata.name,
        labels: spec.template.metadata?.labels ?? {},
        pod: spec.template.spec,
        longRunning: object.kind !== 'Job',
      },
    ];
  });
}

export const containersOf = (pod: PodSpec): Container[] => [...(pod.initContainers ?? []), ...pod.containers];

/** The workload whose container runs `script` (`gateway/dist/index.js`), with that container. */
export function runnersOf(all: readonly Workload[], script: string): { workload: Workload; container: Container }[] {
  return all.flatMap((workload) =>
    containersOf(workload.pod)
      .filter((container) => [...(container.command ?? []), ...(container.args ?? [])].includes(script))
      .map((container) => ({ workload, container })),
  );
}

export function findWorkload(all: readonly Workload[], kind: string, name: string): Workload {
  const found = all.find((workload) => workload.kind === kind && workload.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in ${all.map((workload) => nameOf(workload.object)).join(', ')}`);
  return found;
}

export function envValue(container: Container, name: string): string | undefined {
  return container.env?.find((variable) => variable.name === name)?.value;
}

export function selects(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const value = labels[key];
    const holds =
      operator === 'In'
        ? value !== undefined && values.includes(value)
        : operator === 'NotIn'
          ? value === undefined || !values.includes(value)
          : operator === 'Exists'
            ? value !== undefined
            : operator === 'DoesNotExist'
              ? value === undefined
              : false;
    if (!holds) return false;
  }
  return true;
}
