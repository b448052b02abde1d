/** The bench's markdown report and its SVG chart, as plain text: nothing fetched from anywhere. */
import type { LoadResult } from './load.js';

export interface Row extends LoadResult {
  profile: string;
  gateway: string;
  gatewayId: string;
  workload: string;
  workloadTitle: string;
  concurrency: number;
  peakProcessMb: number;
  peakTotalMb: number;
  /** HTTP calls the department stand-ins received per gateway request. */
  sourceCalls: number;
}

export interface BenchReport {
  startedAt: string;
  host: string;
  /** One-minute load average at the start and at the end: other work on the machine skews every figure. */
  load: [number, number];
  durationMs: number;
  concurrency: number[];
  switches: { available: string[]; missing: string[] };
  rows: Row[];
  overhead: { label: string; p50Ms: number; p99Ms: number }[];
  scaling: { size: number; p50Ms: number; p99Ms: number; errors: number; calls: Record<string, number> }[];
  notes: string[];
}

const OURS = ['ours-off', 'ours-default-1', 'ours-default', 'ours-warm-1', 'ours-warm'];
const f = (n: number, digits = 1): string => n.toFixed(digits);

function find(
  report: BenchReport,
  profile: string,
  gatewayId: string,
  workload: string,
  concurrency: number,
): Row | undefined {
  return report.rows.find(
    (r) =>
      r.profile === profile && r.gatewayId === gatewayId && r.workload === workload && r.concurrency === concurrency,
  );
}

function target(label: string, value: number | undefined, goal: number, higherIsBetter: boolean, unit: string): string {
  if (value === undefined || !Number.isFinite(value))
    return `| ${label} | ${higherIsBetter ? '≥' : '≤'} ${goal}${unit} | not available | — |`;
  const met = higherIsBetter ? value >= goal : value <= goal;
  const by = higherIsBetter
    ? `short by ${f(goal - value, 2)}${unit} (${f((1 - value / goal) * 100, 0)}%)`
    : `over by ${f(value - goal, 2)}${unit}`;
  return `| ${label} | ${higherIsBetter ? '≥' : '≤'} ${goal}${unit} | ${f(value, 2)}${unit} | ${met ? 'met' : `missed: ${by}`} |`;
}

export function renderMarkdown(report: BenchReport): string {
  const lines: string[] = [];
  lines.push(`# Benchmark ${report.startedAt}`, '');
  lines.push(
    `${report.host}. Every gateway, every subgraph, every stand-in and the load generator run as separate processes on this one machine, so the figures are relative: the three gateways share the same subgraphs, stand-ins, supergraph and queries in the same run. Each cell is ${report.durationMs / 1000} s of closed-loop load after a warm-up; errors are non-2xx answers or answers carrying GraphQL errors. RSS is the gateway process's peak (largest single process; the total of a process tree is shown where it differs). Department calls per request below the uncached figure mean cache hits, identical in-flight subgraph requests deduplicated (Hive Gateway deduplicates by default), or fetches of concurrent requests merged into one subgraph request (ours, MERGE_FETCHES), whose department then answers them in one call. The gateway runs as it ships, with GATEWAY_NODE_FLAGS (a 4 MB young generation); the peers with Node's defaults. One-minute load average: ${f(report.load[0], 2)} at the start, ${f(report.load[1], 2)} at the end.`,
    '',
    `Optimisation switches found in the gateway's config: ${report.switches.available.join(', ') || 'none'}; not available yet: ${report.switches.missing.join(', ') || 'none'}.`,
    '',
  );
  for (const note of report.notes) lines.push(`- ${note}`);
  if (report.notes.length > 0) lines.push('');

  for (const profile of ['zero', 'realistic']) {
    const rows = report.rows.filter((r) => r.profile === profile);
    if (rows.length === 0) continue;
    lines.push(
      `## ${profile === 'zero' ? 'Stand-ins at zero latency' : 'Stand-ins at realistic latency (20 ms + up to 30 ms jitter)'}`,
      '',
      '| Workload | Concurrency | Gateway | req/s | p50 ms | p99 ms | peak RSS MB | department calls/req | errors |',
      '|---|---:|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const r of rows.sort((a, b) => a.workload.localeCompare(b.workload) || a.concurrency - b.concurrency)) {
      const rss =
        Math.abs(r.peakTotalMb - r.peakProcessMb) > 1
          ? `${f(r.peakProcessMb, 0)} (${f(r.peakTotalMb, 0)})`
          : f(r.peakProcessMb, 0);
      lines.push(
        `| ${r.workloadTitle} | ${r.concurrency} | ${r.gateway} | ${f(r.rps, 0)} | ${f(r.p50Ms)} | ${f(r.p99Ms)} | ${rss} | ${f(r.sourceCalls, 2)} | ${r.errors} |`,
      );
    }
    lines.push(
      '',
      '### Ratios, pair by pair in this run (ours ÷ peer; throughput: higher is better, p99: lower is better)',
      '',
    );
    lines.push(
      '| Workload | Concurrency | Ours | req/s ÷ plain Apollo | req/s ÷ Hive | p99 ÷ plain Apollo | p99 ÷ Hive |',
      '|---|---:|---|---:|---:|---:|---:|',
    );
    const levels = [...new Set(rows.map((r) => r.concurrency))].sort((a, b) => a - b);
    for (const workload of [...new Set(rows.map((r) => r.workload))]) {
      for (const concurrency of levels) {
        const apollo = find(report, profile, 'apollo', workload, concurrency);
        const hive = find(report, profile, 'hive', workload, concurrency);
        for (const ours of OURS) {
          const row = find(report, profile, ours, workload, concurrency);
          if (!row) continue;
          const ratio = (a: number, b: number | undefined): string => (b ? `${f(a / b, 2)}×` : '—');
          lines.push(
            `| ${row.workloadTitle} | ${concurrency} | ${row.gateway} | ${ratio(row.rps, apollo?.rps)} | ${ratio(row.rps, hive?.rps)} | ${ratio(row.p99Ms, apollo?.p99Ms)} | ${ratio(row.p99Ms, hive?.p99Ms)} |`,
          );
        }
      }
    }
    lines.push('');
  }

  lines.push(
    '## Gateway overhead (stand-ins at zero latency, concurrency 1, 1000 requests)',
    '',
    '| Query | p50 ms | p99 ms |',
    '|---|---:|---:|',
  );
  for (const o of report.overhead) lines.push(`| ${o.label} | ${f(o.p50Ms, 2)} | ${f(o.p99Ms, 2)} |`);
  lines.push('');

  const names = Object.keys(report.scaling[0]?.calls ?? {});
  lines.push(
    '## Scaling: batch size against latency and department calls (our gateway, zero latency, 10 requests each)',
    '',
    `Calls are HTTP requests each stand-in received per gateway request (GET /_sim/stats before and after); the social security front-end database is inside its subgraph and not counted here.`,
    '',
    `| Codes | p50 ms | p99 ms | errors | ${names.map((n) => `${n} calls`).join(' | ')} |`,
    `|---:|---:|---:|---:|${names.map(() => '---:').join('|')}|`,
  );
  for (const s of report.scaling)
    lines.push(
      `| ${s.size} | ${f(s.p50Ms)} | ${f(s.p99Ms)} | ${s.errors} | ${names.map((n) => f(s.calls[n] ?? 0, 2)).join(' | ')} |`,
    );
  lines.push('');

  // Targets from the issue; the best concurrency level is not cherry-picked: each is read at c=16.
  const at = (id: string, workload = 'approval', c = 16): Row | undefined => find(report, 'zero', id, workload, c);
  // "Caches off" is the best of everything off and the shipped defaults without the entity cache.
  const offRows = [at('ours-off'), at('ours-default-1'), at('ours-default')].filter((r): r is Row => r !== undefined);
  const off = offRows.sort((a, b) => b.rps - a.rps)[0];
  // The better of the two warm variants: one process, or one worker per core.
  const warmRows = [at('ours-warm-1'), at('ours-warm')].filter((r): r is Row => r !== undefined);
  const warm = warmRows.sort((a, b) => b.rps - a.rps)[0];
  const apollo = at('apollo');
  const hive = at('hive');
  const batch500 = report.scaling.find((s) => s.size === 500);
  const perSource = batch500 ? Math.max(...Object.values(batch500.calls)) : undefined;
  const peakRss = Math.max(0, ...report.rows.filter((r) => r.gatewayId.startsWith('ours')).map((r) => r.peakProcessMb));
  const overhead = report.overhead.find((o) => o.label.startsWith('{ __typename }'));
  lines.push(
    '## Targets (approval check, zero latency, concurrency 16)',
    '',
    '| Target | Goal | Measured | Result |',
    '|---|---|---|---|',
  );
  lines.push(
    target(
      'Caches off: throughput ÷ plain @apollo/gateway',
      off && apollo ? off.rps / apollo.rps : undefined,
      3,
      true,
      '×',
    ),
  );
  lines.push(
    target('Caches off: throughput ÷ Hive Gateway', off && hive ? off.rps / hive.rps : undefined, 1.2, true, '×'),
  );
  lines.push(
    target('Caches off: p99 ÷ Hive Gateway p99', off && hive ? off.p99Ms / hive.p99Ms : undefined, 1, false, '×'),
  );
  lines.push(
    target(
      'Caches warm: throughput ÷ plain @apollo/gateway',
      warm && apollo ? warm.rps / apollo.rps : undefined,
      10,
      true,
      '×',
    ),
  );
  lines.push(target('Gateway overhead p50, { __typename } at c=1', overhead?.p50Ms, 1, false, ' ms'));
  lines.push(target('500-code batch: calls per source per request (the most of any source)', perSource, 1, false, ''));
  if (batch500)
    lines.push(
      `| … per source | 1 each | ${Object.entries(batch500.calls)
        .map(([name, calls]) => `${name} ${f(calls, 0)}`)
        .join(', ')} | ${Object.values(batch500.calls).every((calls) => calls <= 1) ? 'met' : 'missed'} |`,
    );
  lines.push(target('Peak RSS of one gateway process', peakRss || undefined, 300, false, ' MB'));
  lines.push('', '![requests per second](latest.svg)', '');
  return lines.join('\n');
}

const COLORS: Record<string, string> = {
  'ours-off': '#9ecbff',
  'ours-default-1': '#79b8ff',
  'ours-default': '#58a6ff',
  'ours-warm-1': '#1f6feb',
  'ours-warm': '#0a3d91',
  apollo: '#8250df',
  hive: '#d29922',
};

/** Requests/s per gateway per workload at zero latency, concurrency 16 (or the nearest measured). */
export function renderSvg(report: BenchReport): string {
  const rows = report.rows.filter((r) => r.profile === 'zero');
  const levels = [...new Set(rows.map((r) => r.concurrency))];
  const level = levels.includes(16) ? 16 : (levels[0] ?? 0);
  const workloads = [...new Set(rows.map((r) => r.workload))];
  const gateways = [...new Set(rows.map((r) => r.gatewayId))];
  const chosen = rows.filter((r) => r.concurrency === level);
  const max = Math.max(1, ...chosen.map((r) => r.rps));
  const bar = 22;
  const group = gateways.length * bar + 30;
  const width = Math.max(120 + workloads.length * group, 70 + gateways.length * 200);
  const height = 340;
  const plot = 240;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-size="14">Requests/s, stand-ins at zero latency, concurrency ${level}</text>`,
    `<line x1="60" y1="${30 + plot}" x2="${width - 10}" y2="${30 + plot}" stroke="#333"/>`,
  ];
  workloads.forEach((workload, w) => {
    const x0 = 70 + w * group;
    gateways.forEach((id, g) => {
      const row = chosen.find((r) => r.workload === workload && r.gatewayId === id);
      if (!row) return;
      const h = (row.rps / max) * plot;
      const x = x0 + g * bar;
      parts.push(
        `<rect x="${x}" y="${30 + plot - h}" width="${bar - 4}" height="${h}" fill="${COLORS[id] ?? '#888'}"/>`,
      );
      parts.push(
        `<text x="${x + (bar - 4) / 2}" y="${26 + plot - h}" text-anchor="middle" font-size="9">${row.rps.toFixed(0)}</text>`,
      );
    });
    parts.push(`<text x="${x0}" y="${48 + plot}">${workload}</text>`);
  });
  gateways.forEach((id, g) => {
    const title = rows.find((r) => r.gatewayId === id)?.gateway ?? id;
    parts.push(`<rect x="${70 + g * 200}" y="${height - 22}" width="10" height="10" fill="${COLORS[id] ?? '#888'}"/>`);
    parts.push(
      `<text x="${84 + g * 200}" y="${height - 13}">${title.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
