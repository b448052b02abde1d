import type { LoadedSupergraph } from '../supergraph.js';

export interface Readiness {
  ready: boolean;
  supergraph: 'loaded' | 'missing';
  subgraphs: Record<string, 'up' | 'down'>;
}

/**
 * Ready once the supergraph is loaded and every subgraph answers its own /healthz. Each probe is
 * bounded, so a hung subgraph makes the gateway unready instead of hanging the probe.
 */
export async function checkReadiness(supergraph: LoadedSupergraph | null, timeoutMs: number): Promise<Readiness> {
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
  return { ready: entries.every(([, state]) => state === 'up'), supergraph: 'loaded', subgraphs };
}
