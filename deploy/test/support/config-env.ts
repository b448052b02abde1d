import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generatedFrom, type KubeObject } from './render.js';
import type { Container, EnvVar, PodSpec } from './workloads.js';

type Env = Record<string, string | undefined>;

export interface ResolvedEnv {
  env: Record<string, string>;
  /** Variables from Secrets the render does not hold: created out of band (production). */
  outOfBand: string[];
  /** Where the files the pod would see (its Secret and ConfigMap volumes) were written. */
  root: string;
  dispose: () => Promise<void>;
}

function findData(
  objects: readonly KubeObject[],
  kind: 'Secret' | 'ConfigMap',
  name: string,
): Record<string, string> | undefined {
  const object = objects.find((candidate) => candidate.kind === kind && generatedFrom(candidate, name));
  if (!object) return undefined;
  const data = (object['data'] ?? {}) as Record<string, string>;
  if (kind === 'ConfigMap') return data;
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
  );
}

/** `$(NAME)` refers to a variable defined earlier in the list, as Kubernetes expands it. */
const expand = (text: string, env: Record<string, string>) =>
  text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);

/**
 * The environment and files a container would get from the rendered objects: values, ConfigMap
 * and Secret keys, the pod's name, and its Secret and ConfigMap volumes written under a temporary
 * root, with the variables that name a file under a mount pointed there.
 */
export async function resolveEnv(
  objects: readonly KubeObject[],
  pod: PodSpec,
  container: Container,
  podName: string,
): Promise<ResolvedEnv> {
  const root = await mkdtemp(join(tmpdir(), 'credit-gateway-pod-'));
  const mounts: string[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((candidate) => candidate.name === mount.name);
    const source = volume?.secret
      ? { data: findData(objects, 'Secret', volume.secret.secretName), items: volume.secret.items }
      : volume?.configMap
        ? { data: findData(objects, 'ConfigMap', volume.configMap.name), items: volume.configMap.items }
        : undefined;
    if (!source?.data) continue;
    mounts.push(mount.mountPath);
    const files = source.items ?? Object.keys(source.data).map((key) => ({ key, path: key }));
    for (const { key, path } of files) {
      const file = join(root, mount.mountPath, path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, source.data[key] ?? '');
    }
  }

  const env: Record<string, string> = {};
  const outOfBand: string[] = [];
  const valueOf = ({ value, valueFrom }: EnvVar): string | undefined => {
    if (value !== undefined) return expand(value, env);
    if (valueFrom?.fieldRef) return valueFrom.fieldRef.fieldPath === 'metadata.name' ? podName : '10.0.0.1';
    if (valueFrom?.configMapKeyRef)
      return findData(objects, 'ConfigMap', valueFrom.configMapKeyRef.name)?.[valueFrom.configMapKeyRef.key];
    if (valueFrom?.secretKeyRef)
      return findData(objects, 'Secret', valueFrom.secretKeyRef.name)?.[valueFrom.secretKeyRef.key];
    return undefined;
  };
  for (const variable of container.env ?? []) {
    let value = valueOf(variable);
    if (value === undefined) {
      outOfBand.push(variable.name);
      value = 'created-out-of-band';
    }
    const mount = mounts.find((path) => value!.startsWith(`${path}/`));
    env[variable.name] = mount === undefined ? value : join(root, value);
  }
  return { env, outOfBand, root, dispose: () => rm(root, { recursive: true, force: true }) };
}

/**
 * Runs a service's loadConfig on `env` and notes every variable it reads. A variable set but
 * never read is a mistake: misspelled, or one the service does not (or no longer) know.
 */
export function readByConfig(load: (env: Env) => unknown, env: Env): { read: Set<string>; error?: unknown } {
  const read = new Set<string>();
  const watched = new Proxy(env, {
    get(target, key, receiver) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  try {
    load(watched);
    return { read };
  } catch (error) {
    return { read, error };
  }
}

/** The problems of a Node container's environment: variables its config never reads, or hidden from this check. */
export function unreadVariables(container: Container, pod: PodSpec, read: ReadonlySet<string>): string[] {
  const problems = (container.env ?? [])
    .filter((variable) => !read.has(variable.name))
    .map((variable) => `${container.name}: ${variable.name} is not read by its configuration`);
  if ((container.envFrom ?? []).length > 0)
    problems.push(`${container.name}: envFrom hides its variables from this check: list them in env`);
  if (pod.enableServiceLinks !== false)
    problems.push(`${container.name}: service links would add variables (enableServiceLinks: false)`);
  return problems;
}
