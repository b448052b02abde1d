/**
 * Reads V8 CPU profiles (`node --cpu-prof`) and sums self time by function and by where the code
 * comes from (a package in node_modules, a file of ours, Node itself, the garbage collector), for
 * `npm run bench -- --cpu-prof`.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface Cost {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Busy time: everything but `(idle)`. */
  busyMs: number;
  functions: Cost[];
  areas: Cost[];
}

/** Where a frame's code lives: a package, one of our workspaces' files, Node, or a V8 pseudo-frame. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const ours = /\/((?:gateway|common|register|sources|subgraphs\/[^/]+)\/dist\/.*)$/.exec(url);
  return ours ? ours[1]! : url;
}

/**
 * Self time by function and by area over the given profiles, leaving out each profile's first
 * `skipMs` (start-up and warm-up: loading modules is no cost of a request). A function's name is
 * followed by the function that called it most, by self time.
 */
export function summarise(files: string[], options: { top?: number; skipMs?: number } = {}): ProfileSummary {
  const { top = 25, skipMs = 0 } = options;
  const functions = new Map<string, number>();
  const callers = new Map<string, Map<string, number>>();
  const areas = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    const parents = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
    const label = (frame: CallFrame): string =>
      `${frame.functionName || '(anonymous)'} ${areaOf(frame.url, frame.functionName)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    let elapsed = 0;
    profile.samples.forEach((id, i) => {
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      elapsed += ms;
      if (elapsed < skipMs) return;
      const frame = byId.get(id);
      if (frame === undefined) return;
      total += ms;
      if (frame.functionName === '(idle)') {
        idle += ms;
        return;
      }
      const area = areaOf(frame.url, frame.functionName);
      const name = label(frame);
      functions.set(name, (functions.get(name) ?? 0) + ms);
      areas.set(area, (areas.get(area) ?? 0) + ms);
      const parent = parents.get(id);
      const caller = parent === undefined ? undefined : byId.get(parent);
      if (caller !== undefined) {
        const byCaller = callers.get(name) ?? new Map<string, number>();
        byCaller.set(label(caller), (byCaller.get(label(caller)) ?? 0) + ms);
        callers.set(name, byCaller);
      }
    });
  }
  const busy = total - idle;
  const rank = (map: Map<string, number>): Cost[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms, share: busy > 0 ? ms / busy : 0 }));
  const ranked = rank(functions).map((cost) => {
    const caller = [...(callers.get(cost.name)?.entries() ?? [])].sort((a, b) => b[1] - a[1])[0]?.[0];
    return caller === undefined ? cost : { ...cost, name: `${cost.name} ← ${caller}` };
  });
  return { totalMs: total, busyMs: busy, functions: ranked, areas: rank(areas) };
}
