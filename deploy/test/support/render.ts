import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { generateDevKeys } from '@credit-gateway/gateway';

export const OVERLAYS = ['development', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** One rendered Kubernetes object; the checks read the fields they need. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

const KUSTOMIZE_ROOT = fileURLToPath(new URL('../../kubernetes/', import.meta.url));

/**
 * The kubectl that renders the kustomizations. CI sets KUBECTL to Debian's (kubernetes-client,
 * kustomize 2.0), the oldest dialect the manifests are written for; newer ones render the same.
 */
const KUBECTL = process.env['KUBECTL'] ?? 'kubectl';

const run = promisify(execFile);

async function kustomize(dir: string): Promise<string> {
  try {
    const { stdout } = await run(KUBECTL, ['kustomize', dir], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`${KUBECTL} not found: install Debian's kubernetes-client, or set KUBECTL (see .ci/run)`);
    throw new Error(`${KUBECTL} kustomize ${dir} failed: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
}

/** The development secrets as the README has them made: the auth CLI's keys and a pseudonym key. */
async function makeDevelopmentSecrets(overlayDir: string): Promise<void> {
  const keys = join(overlayDir, 'keys');
  await rm(keys, { recursive: true, force: true });
  await mkdir(keys);
  await generateDevKeys(keys);
  await writeFile(join(keys, 'register-pseudonym.key'), `${randomBytes(32).toString('hex')}\n`);
}

/**
 * Renders an overlay with kubectl, in a copy of deploy/kubernetes (so that no key lands in the
 * working tree, and a developer's own keys/ is not used), into its objects.
 */
export async function renderOverlay(overlay: Overlay): Promise<KubeObject[]> {
  const root = await mkdtemp(join(tmpdir(), 'credit-gateway-kubernetes-'));
  try {
    await cp(KUSTOMIZE_ROOT, root, { recursive: true });
    const overlayDir = join(root, 'overlays', overlay);
    if (overlay === 'development') await makeDevelopmentSecrets(overlayDir);
    return parseObjects(await kustomize(overlayDir));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export function parseObjects(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`unreadable YAML: ${document.errors[0]!.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    objects.push(unwrapSecretData(value as KubeObject));
  }
  return objects;
}

/**
 * Newer kustomize wraps a Secret's long base64 values over several lines; the API server's
 * decoder skips the line breaks, the schema's `byte` format does not.
 */
function unwrapSecretData(object: KubeObject): KubeObject {
  const data = object['data'] as Record<string, string> | undefined;
  if (object.kind !== 'Secret' || !data) return object;
  return {
    ...object,
    data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, value.replace(/[\r\n]/g, '')])),
  };
}

export const nameOf = (object: KubeObject): string => `${object.kind}/${object.metadata.name}`;

/** kustomize appends a content hash to generated names: `gateway-keys-5f7g8h9k2t`. */
export function generatedFrom(object: KubeObject, name: string): boolean {
  return object.metadata.name === name || new RegExp(`^${name}-[a-z0-9]{10}$`).test(object.metadata.name);
}
