/** The bench's markdown report and its SVG chart, as plain text: nothing fetched from anywhere. */
import type { LoadResult } from './load.js';

export interface Row extends LoadResult {
  profile: string;
  gateway: string;
  gatewayId: string;
  workload: string;
  workloadTitle: string;
  concurrency: number;
  /** Gateway processes serving the port (cluster workers, or 1). */
  processes: number;
  peakProcessMb: number;
  peakTotalMb: number;
  /** HTTP calls the department stand-ins received per gateway request. */
  sourceCalls: number;
  /** A scale-out row that is the shipped-defaults run itself (the WORKERS default comes to this count). */
  sameAsDefault?: boolean;
}

export interface AnswerCheck {
  gateway: string;
  gatewayId: string;
  workload: string;
  equal: boolean;
  difference?: string;
}

export interface BenchReport {
  startedAt: string;
  host: string;
  /** One-minute load average at the start and at the end: other work on the machine skews every figure. */
  load: [number, number];
  quick: boolean;
  durationMs: number;
  concurrency: number[];
  switches: { available: string[]; missing: string[] };
  rows: Row[];
  overhead: { label: string; p50Ms: number; p99Ms: number; requests: number }[];
  scaling: {
    size: number;
    p50Ms: number;
    p99Ms: number;
    errors: number;
    calls: Record<string, number>;
    repeats: number;
  }[];
  /** Each gateway's answers to a sample of each workload, against ours. */
  answers: AnswerCheck[];
  /** Processes the shipped WORKERS default comes to on this machine. */
  defaultWorkers: number | undefined;
  profileQuery: { leaves: number; bytes: number; skipped: string[] };
  notes: string[];
}

const OURS = ['ours-off', 'ours-default', 'ours-warm-1', 'ours-warm'];
const PEERS = ['apollo', 'hive', 'hive-rust'] as const;
const PEER_TITLES: Record<(typeof PEERS)[number], string> = {
  apollo: 'plain @apollo/gateway',
  hive: 'Hive Gateway',
  'hive-rust': 'Hive Gateway, Rust planner',
};
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
    return `| ${label} | ${higherIsBetter ? '≥' : '≤'} ${goal}${unit} | not measured | NOT MEASURED |`;
  const met = higherIsBetter ? value >= goal : value <= goal;
  const by = higherIsBetter
    ? `short by ${f(goal - value, 2)}${unit} (${f((1 - value / goal) * 100, 0)}%)`
    : `over by ${f(value - goal, 2)}${unit}`;
  return `| ${label} | ${higherIsBetter ? '≥' : '≤'} ${goal}${unit} | ${f(value, 2)}${unit} | ${met ? 'MET' : `MISSED: ${by}`} |`;
}

interface Pair {
  where: string;
  ratio: number;
}

/**
 * One of the issue's targets over every cell it covers: the worst cell decides (no concurrency level
 * is picked), and every cell's ratio is listed.
 */
function cellTarget(
  label: string,
  goal: string,
  pairs: Pair[],
  met: (ratio: number) => boolean,
  worstFirst: (a: Pair, b: Pair) => number,
  missing = 'not measured (a gateway was not timed on it: see the answer check)',
): string {
  if (pairs.length === 0) return `| ${label} | ${goal} | ${missing} | NOT MEASURED |`;
  const sorted = [...pairs].sort(worstFirst);
  const worst = sorted[0]!;
  const cells = pairs.map((p) => `${p.where} ${f(p.ratio, 2)}×`).join('; ');
  return `| ${label} | ${goal} | worst ${f(worst.ratio, 2)}× (${worst.where}); ${cells} | ${pairs.every((p) => met(p.ratio)) ? 'MET' : 'MISSED'} |`;
}

/** The issue's targets, measured with the shipped defaults (`ours-default`) against the peers in this run. */
function issueTargets(report: BenchReport): string[] {
  const ours = (workload: string, profile = 'zero'): Row[] =>
    report.rows.filter((r) => r.profile === profile && r.gatewayId === 'ours-default' && r.workload === workload);
  const against = (workload: string, peer: string, value: (o: Row, p: Row) => number): Pair[] =>
    ours(workload).flatMap((o) => {
      const p = find(report, 'zero', peer, workload, o.concurrency);
      return p ? [{ where: `c=${o.concurrency}`, ratio: value(o, p) }] : [];
    });
  const rps = (o: Row, p: Row): number => o.rps / p.rps;
  const higher = (a: Pair, b: Pair): number => a.ratio - b.ratio;
  const lower = (a: Pair, b: Pair): number => b.ratio - a.ratio;

  // p99: every cell of the shipped defaults against every peer timed in the same cell.
  const p99: Pair[] = report.rows
    .filter((o) => o.gatewayId === 'ours-default' && o.profile !== 'scale')
    .flatMap((o) =>
      PEERS.flatMap((peer) => {
        const p = find(report, o.profile, peer, o.workload, o.concurrency);
        return p
          ? [
              {
                where: `${o.profile} ${o.workload} c=${o.concurrency} vs ${PEER_TITLES[peer]}`,
                ratio: o.p99Ms / p.p99Ms,
              },
            ]
          : [];
      }),
    );
  const p99Missed = p99.filter((p) => p.ratio > 1);

  // WORKERS: the shipped default against one process, cell by cell of the scale-out table.
  const workers: Pair[] = report.rows
    .filter((r) => r.profile === 'scale' && r.gatewayId === 'ours-workers-1')
    .flatMap((one) => {
      const shipped = find(report, 'zero', 'ours-default', one.workload, one.concurrency);
      return shipped ? [{ where: `${one.workload} c=${one.concurrency}`, ratio: shipped.rps / one.rps }] : [];
    });

  const lines = [
    `## Targets (shipped defaults, caches off, stand-ins at zero latency; the worst cell decides)`,
    '',
    `The shipped defaults are what \`npm start\` runs: no switch set, so the entity cache is off and WORKERS is its default, which came to ${report.defaultWorkers ?? 'an unknown number of'} process(es) on this machine. Ratios are ours ÷ the peer, cell by cell in this run.`,
    '',
    '| Target | Goal | Measured | Result |',
    '|---|---|---|---|',
    cellTarget(
      'Approval check: throughput ÷ plain @apollo/gateway',
      '≥ 3×',
      against('approval', 'apollo', rps),
      (r) => r >= 3,
      higher,
    ),
    cellTarget(
      'Approval check: throughput ÷ Hive Gateway with the Rust planner',
      '> 1× (ahead)',
      against('approval', 'hive-rust', rps),
      (r) => r > 1,
      higher,
    ),
    cellTarget(
      'Whole department profile: throughput ÷ plain @apollo/gateway',
      '≥ 2.5×',
      against('profile', 'apollo', rps),
      (r) => r >= 2.5,
      higher,
    ),
    p99.length === 0
      ? `| p99 no worse than any peer's, every cell | ≤ 1× | not measured | NOT MEASURED |`
      : `| p99 no worse than any peer's, every cell (${p99.length} cells) | ≤ 1× | worst ${f([...p99].sort(lower)[0]!.ratio, 2)}× (${[...p99].sort(lower)[0]!.where}); ${p99Missed.length === 0 ? 'no cell over' : `over in ${p99Missed.length}: ${p99Missed.map((p) => `${p.where} ${f(p.ratio, 2)}×`).join('; ')}`} | ${p99Missed.length === 0 ? 'MET' : 'MISSED'} |`,
    cellTarget(
      `WORKERS default (${report.defaultWorkers ?? '?'} here): throughput ÷ 1 process`,
      '≥ 1× (never loses)',
      workers,
      (r) => r >= 1,
      higher,
      'not measured (no scale-out rows)',
    ),
    '',
  ];
  if (report.defaultWorkers === 1)
    lines.push(
      'The WORKERS default comes to one worker here, under a primary that replaces it if its event loop stalls; the one-process row is WORKERS=1, a single process without a primary, so the last target compares the two.',
      '',
    );
  return lines;
}

function fourGatewayTable(report: BenchReport): string[] {
  const rows = report.rows.filter((r) => r.gatewayId === 'ours-default' && r.profile !== 'scale');
  if (rows.length === 0) return [];
  const lines = [
    '## Four gateways (shipped defaults against the peers; req/s and p99 ms)',
    '',
    `| Latency | Workload | Concurrency | ours | ${PEERS.map((p) => PEER_TITLES[p]).join(' | ')} | ours ÷ plain Apollo | ours ÷ Hive Rust planner |`,
    `|---|---|---:|---:|${PEERS.map(() => '---:').join('|')}|---:|---:|`,
  ];
  const cell = (r: Row | undefined): string => (r ? `${f(r.rps, 0)} / ${f(r.p99Ms)}` : 'not timed');
  const ratio = (a: Row, b: Row | undefined): string => (b ? `${f(a.rps / b.rps, 2)}×` : '—');
  for (const o of rows) {
    const peers = PEERS.map((p) => find(report, o.profile, p, o.workload, o.concurrency));
    lines.push(
      `| ${o.profile} | ${o.workloadTitle} | ${o.concurrency} | ${cell(o)} | ${peers.map(cell).join(' | ')} | ${ratio(o, peers[0])} | ${ratio(o, peers[2])} |`,
    );
  }
  lines.push('');
  return lines;
}

function scaleOutTable(report: BenchReport): string[] {
  const rows = report.rows.filter((r) => r.profile === 'scale');
  if (rows.length === 0) return [];
  const lines = [
    '## Scale-out (shipped defaults at WORKERS=1, 2 and 4, same subgraphs and stand-ins, zero latency)',
    '',
    `Everything shares the machine's cores: more gateway processes compete with the subgraphs, the stand-ins and the load generator. The WORKERS default came to ${report.defaultWorkers ?? '?'} process(es) here; that row is the shipped-defaults run itself.`,
    '',
    '| Workload | Concurrency | Processes | req/s | p99 ms | req/s ÷ 1 process | peak RSS MB (total) | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows.sort(
    (a, b) => a.workload.localeCompare(b.workload) || a.concurrency - b.concurrency || a.processes - b.processes,
  )) {
    const one = find(report, 'scale', 'ours-workers-1', r.workload, r.concurrency);
    lines.push(
      `| ${r.workloadTitle} | ${r.concurrency} | ${r.gatewayId.replace('ours-workers-', '')}${r.sameAsDefault ? ' (the default)' : ''} | ${f(r.rps, 0)} | ${f(r.p99Ms)} | ${one ? `${f(r.rps / one.rps, 2)}×` : '—'} | ${f(r.peakTotalMb, 0)} | ${r.errors} |`,
    );
  }
  lines.push('');
  return lines;
}

function answerTable(report: BenchReport): string[] {
  const lines = [
    '## Answers (a sample of each workload, compared with ours before timing)',
    '',
    "Each gateway answers the first requests of each workload; their `data` is compared leaf by leaf with our gateway's, except leaves that change between two readings of ours (read times). A gateway that answers differently is reported here and not timed on that workload.",
    '',
  ];
  const differing = report.answers.filter((a) => !a.equal);
  const gateways = [...new Set(report.answers.map((a) => a.gateway))];
  lines.push(
    `Checked: ${gateways.length} gateway runs, ${report.answers.length} gateway × workload pairs; ${differing.length === 0 ? 'every answer equal to ours' : `${differing.length} differ`}.`,
    '',
  );
  if (differing.length > 0) {
    lines.push('| Gateway | Workload | First difference |', '|---|---|---|');
    for (const a of differing)
      lines.push(`| ${a.gateway} | ${a.workload} | ${(a.difference ?? '').replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  return lines;
}

export function renderMarkdown(report: BenchReport): string {
  const lines: string[] = [];
  lines.push(`# Benchmark ${report.startedAt}${report.quick ? ' (quick smoke run: not a measurement)' : ''}`, '');
  lines.push(
    `${report.host}. Every gateway, every subgraph, every stand-in and the load generator run as separate processes on this one machine, so the figures are relative: the gateways share the same subgraphs, stand-ins, supergraph and queries in the same run. Each cell is ${report.durationMs / 1000} s of closed-loop load after a warm-up; errors are non-2xx answers or answers carrying GraphQL errors. RSS is the gateway process's peak (largest single process; the total of a process tree is shown where it differs). Department calls per request below the uncached figure mean cache hits, identical in-flight subgraph requests deduplicated (Hive Gateway deduplicates by default), or fetches of concurrent requests merged into one subgraph request (ours, MERGE_FETCHES), whose department then answers them in one call. The gateway runs as it ships, with GATEWAY_NODE_FLAGS (a 4 MB young generation); the peers with Node's defaults. One-minute load average: ${f(report.load[0], 2)} at the start, ${f(report.load[1], 2)} at the end.`,
    '',
    `Optimisation switches found in the gateway's config: ${report.switches.available.join(', ') || 'none'}; not available yet: ${report.switches.missing.join(', ') || 'none'}.`,
    '',
    `The whole department profile is generated from schema/supergraph.graphql: every field of the five department sections to depth 3 that GOVERNMENT may read, ${report.profileQuery.leaves} leaf fields, ${report.profileQuery.bytes} characters${report.profileQuery.skipped.length > 0 ? `; left out: ${report.profileQuery.skipped.join(', ')}` : ''}.`,
    '',
  );
  for (const note of report.notes) lines.push(`- ${note}`);
  if (report.notes.length > 0) lines.push('');

  lines.push(...issueTargets(report), ...fourGatewayTable(report), ...scaleOutTable(report), ...answerTable(report));

  for (const profile of ['zero', 'realistic']) {
    const rows = report.rows.filter((r) => r.profile === profile);
    if (rows.length === 0) continue;
    lines.push(
      `## ${profile === 'zero' ? 'Stand-ins at zero latency' : 'Stand-ins at realistic latency (20 ms + up to 30 ms jitter)'}`,
      '',
      '| Workload | Concurrency | Gateway | processes | req/s | p50 ms | p99 ms | peak RSS MB | department calls/req | errors |',
      '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const r of rows.sort((a, b) => a.workload.localeCompare(b.workload) || a.concurrency - b.concurrency)) {
      const rss =
        Math.abs(r.peakTotalMb - r.peakProcessMb) > 1
          ? `${f(r.peakProcessMb, 0)} (${f(r.peakTotalMb, 0)})`
          : f(r.peakProcessMb, 0);
      lines.push(
        `| ${r.workloadTitle} | ${r.concurrency} | ${r.gateway} | ${r.processes} | ${f(r.rps, 0)} | ${f(r.p50Ms)} | ${f(r.p99Ms)} | ${rss} | ${f(r.sourceCalls, 2)} | ${r.errors} |`,
      );
    }
    lines.push(
      '',
      '### Ratios, pair by pair in this run (ours ÷ peer; throughput: higher is better, p99: lower is better)',
      '',
    );
    lines.push(
      `| Workload | Concurrency | Ours | ${PEERS.map((p) => `req/s ÷ ${PEER_TITLES[p]}`).join(' | ')} | ${PEERS.map((p) => `p99 ÷ ${PEER_TITLES[p]}`).join(' | ')} |`,
      `|---|---:|---|${PEERS.map(() => '---:|---:').join('|')}|`,
    );
    const levels = [...new Set(rows.map((r) => r.concurrency))].sort((a, b) => a - b);
    for (const workload of [...new Set(rows.map((r) => r.workload))]) {
      for (const concurrency of levels) {
        const peers = PEERS.map((p) => find(report, profile, p, workload, concurrency));
        for (const ours of OURS) {
          const row = find(report, profile, ours, workload, concurrency);
          if (!row) continue;
          const ratio = (a: number, b: number | undefined): string => (b ? `${f(a / b, 2)}×` : '—');
          lines.push(
            `| ${row.workloadTitle} | ${concurrency} | ${row.gateway} | ${peers.map((p) => ratio(row.rps, p?.rps)).join(' | ')} | ${peers.map((p) => ratio(row.p99Ms, p?.p99Ms)).join(' | ')} |`,
          );
        }
      }
    }
    lines.push('');
  }

  const overheadRequests = report.overhead[0]?.requests ?? 0;
  lines.push(
    `## Gateway overhead (stand-ins at zero latency, concurrency 1, ${overheadRequests} requests)`,
    '',
    '| Query | p50 ms | p99 ms |',
    '|---|---:|---:|',
  );
  for (const o of report.overhead) lines.push(`| ${o.label} | ${f(o.p50Ms, 2)} | ${f(o.p99Ms, 2)} |`);
  lines.push('');

  const names = Object.keys(report.scaling[0]?.calls ?? {});
  lines.push(
    `## Scaling: batch size against latency and department calls (our gateway, zero latency, ${report.scaling[0]?.repeats ?? 0} requests each)`,
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

  // Earlier targets, each read at concurrency 16 (the level is not cherry-picked).
  const warmRows = [
    find(report, 'zero', 'ours-warm-1', 'approval', 16),
    find(report, 'zero', 'ours-warm', 'approval', 16),
  ].filter((r): r is Row => r !== undefined);
  const warm = warmRows.sort((a, b) => b.rps - a.rps)[0];
  const apollo = find(report, 'zero', 'apollo', 'approval', 16);
  const batch500 = report.scaling.find((s) => s.size === 500);
  const perSource = batch500 ? Math.max(...Object.values(batch500.calls)) : undefined;
  const peakRss = Math.max(0, ...report.rows.filter((r) => r.gatewayId.startsWith('ours')).map((r) => r.peakProcessMb));
  const overhead = report.overhead.find((o) => o.label.startsWith('{ __typename }'));
  lines.push(
    '## Other targets (approval check, zero latency, concurrency 16)',
    '',
    '| Target | Goal | Measured | Result |',
    '|---|---|---|---|',
  );
  lines.push(
    target(
      'Caches warm (better of 1 process and 1 worker/core): throughput ÷ plain @apollo/gateway',
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
        .join(', ')} | ${Object.values(batch500.calls).every((calls) => calls <= 1) ? 'MET' : 'MISSED'} |`,
    );
  lines.push(target('Peak RSS of one gateway process', peakRss || undefined, 300, false, ' MB'));
  lines.push('', '![requests per second](latest.svg)', '');
  return lines.join('\n');
}

const COLORS: Record<string, string> = {
  'ours-off': '#9ecbff',
  'ours-default': '#58a6ff',
  'ours-warm-1': '#1f6feb',
  'ours-warm': '#0a3d91',
  apollo: '#8250df',
  hive: '#d29922',
  'hive-rust': '#bf3989',
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
