import type { LoadedSupergraph } from '../supergraph.js';

/** The admission line as readiness sees it (performance/admission.ts). */
export interface AdmissionReport {
  active: number;
  waiting: number;
  /** How long the first request in line has waited, in ms. */
  oldestWaitMs: number;
}

export interface Readiness {
  ready: boolean;
  /** The process is shutting down: it still answers, but wants no new requests. */
  draining?: true;
  supergraph: 'loaded' | 'missing';
  subgraphs: Record<string, 'up' | 'down'>;
  admission?: AdmissionReport & { saturated: boolean };
}

/**
 * Ready once the supergraph is loaded, every subgraph answers its own /healthz, and no request has
 * waited for admission `unreadyAfterMs` or longer (a process that far behind sends callers to
 * another replica). Each probe is bounded, so a hung subgraph makes the gateway unready instead of
 * hanging the probe.
 */
export async function checkReadiness(
  supergraph: LoadedSupergraph | null,
  timeoutMs: number,
  admission?: { report: AdmissionReport; unreadyAfterMs: number },
): Promise<Readiness> {
  if (!supergraph) return { ready: false, supergraph: 'missing', subgraphs: {} };
  const entries = await Promise.all(
    [...supergraph.subgraphs].map(async ([name, url]) => {
      try {
        const response = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(timeoutMs) });
        await response.arrayBuffer();
        return [name, response.ok ? 'up' : 'down'] as const;
      } catch {
        return [name, 'down'] as const;
      }
    }),
  );
  const subgraphs = Object.fromEntries(entries);
  const saturated = admission ? admission.report.oldestWaitMs >= admission.unreadyAfterMs : false;
  return {
    ready: !saturated && entries.every(([, state]) => state === 'up'),
    supergraph: 'loaded',
    subgraphs,
    ...(admission ? { admission: { ...admission.report, saturated } } : {}),
  };
}
