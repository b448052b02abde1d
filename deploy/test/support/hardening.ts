import { containersOf, type Workload } from './workloads.js';

const RESOURCES = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'] as const;

/**
 * What the restricted Pod Security Standard demands of a pod, and what this deployment adds: a
 * read-only root file system, requests and limits, no service account token, a pinned image, and
 * probes on everything that runs for good.
 */
export function hardeningProblems(workload: Workload): string[] {
  const { pod } = workload;
  const where = `${workload.kind}/${workload.name}`;
  const problems: string[] = [];
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push(`${where}: shares a host namespace`);
  if (pod.automountServiceAccountToken !== false)
    problems.push(`${where}: mounts a service account token (automountServiceAccountToken)`);
  for (const volume of pod.volumes ?? [])
    if (volume.hostPath !== undefined) problems.push(`${where}: mounts a host path (${volume.name})`);

  for (const container of containersOf(pod)) {
    const at = `${where} ${container.name}`;
    const own = container.securityContext ?? {};
    const inherited = pod.securityContext ?? {};
    if ((own.runAsNonRoot ?? inherited.runAsNonRoot) !== true) problems.push(`${at}: runAsNonRoot is not true`);
    if ((own.runAsUser ?? inherited.runAsUser) === 0) problems.push(`${at}: runs as user 0`);
    if (own.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem is not true`);
    if (own.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
    if (own.privileged === true) problems.push(`${at}: is privileged`);
    if (!(own.capabilities?.drop ?? []).includes('ALL')) problems.push(`${at}: does not drop ALL capabilities`);
    if ((own.capabilities?.add ?? []).length > 0) problems.push(`${at}: adds capabilities`);
    const seccomp = (own.seccompProfile ?? inherited.seccompProfile)?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
      problems.push(`${at}: seccomp profile is ${seccomp ?? 'unset'}, not RuntimeDefault`);
    for (const resource of RESOURCES) {
      const [kind, name] = resource.split('.') as ['requests' | 'limits', string];
      if (container.resources?.[kind]?.[name] === undefined) problems.push(`${at}: no resources.${resource}`);
    }
    const image = container.image ?? '';
    const tag = /^[^@]*:([^/:@]+)$/.exec(image)?.[1];
    if (!image.includes('@') && (tag === undefined || tag === 'latest'))
      problems.push(`${at}: image '${image}' is not pinned to a tag or digest`);
    if (workload.longRunning && !(pod.initContainers ?? []).includes(container)) {
      if (!container.livenessProbe) problems.push(`${at}: no livenessProbe`);
      if (!container.readinessProbe) problems.push(`${at}: no readinessProbe`);
    }
  }
  return problems;
}
