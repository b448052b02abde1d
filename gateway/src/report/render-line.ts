/**
 * The line reports wait in to be rendered. Rendering (font subsetting, page layout) is CPU-bound and
 * runs after the GraphQL pipeline has given up its admission place: unbounded, a caller asking for
 * many reports at once would hold the event loop from every other request. Here at most `limit`
 * renders run at once in one process; the rest wait, each no longer than its request's deadline.
 *
 * Waiting is fair between callers, not first come first served: each caller (a client, or an
 * anonymous caller's address) has a lane of its own, holding at most `perLane` renders waiting
 * (one more is refused at once), and a free place goes to the waiting lane of the highest priority
 * (the tier: an approval officer's report is not queued behind a crowd of anonymous ones), among
 * those to the lane served longest ago. Within a lane, renders keep their arrival order.
 */

export interface Lane {
  /** Whose lane: a client id, or an anonymous caller's address. */
  key: string;
  /** Served before every lane of a lower priority. */
  priority: number;
}

/** What became of a render: done, refused because its lane is full, or not started before its deadline. */
export type RenderOutcome<T> = { rendered: T } | { refused: 'busy' | 'deadline' };

export interface RenderLine {
  /**
   * Runs `work` once a place is free: its deadline is `timeoutMs` after `startedAt` (a
   * performance.now() time, the request's arrival).
   */
  run<T>(startedAt: number, work: () => Promise<T>, lane?: Lane): Promise<RenderOutcome<T>>;
  readonly state: { active: number; waiting: number };
}

interface Waiting {
  start: () => void;
}

interface LaneState {
  priority: number;
  waiting: Waiting[];
  /** When this lane last had a render started: the lane served longest ago goes first. */
  servedAt: number;
}

const ANY: Lane = { key: '', priority: 0 };

/** Reports one caller may have waiting to be rendered at once; one more is refused. */
export const RENDERS_WAITING_PER_CALLER = 4;

export function createRenderLine(limit: number, timeoutMs: number, perLane = RENDERS_WAITING_PER_CALLER): RenderLine {
  let active = 0;
  let starts = 0;
  const lanes = new Map<string, LaneState>();

  /** The next render to start: from the highest-priority lane, among those the one served longest ago. */
  function next(): Waiting | undefined {
    let chosen: [string, LaneState] | undefined;
    for (const entry of lanes) {
      const [, lane] = entry;
      if (
        !chosen ||
        lane.priority > chosen[1].priority ||
        (lane.priority === chosen[1].priority && lane.servedAt < chosen[1].servedAt)
      )
        chosen = entry;
    }
    if (!chosen) return undefined;
    const [key, lane] = chosen;
    const waiting = lane.waiting.shift()!;
    lane.servedAt = ++starts;
    if (lane.waiting.length === 0) lanes.delete(key);
    return waiting;
  }

  function leave(): void {
    // The place passes straight to the next render chosen, so a newcomer cannot overtake it.
    const waiting = next();
    if (waiting) waiting.start();
    else active--;
  }

  return {
    async run(startedAt, work, lane = ANY) {
      const left = Math.floor(timeoutMs - (performance.now() - startedAt));
      if (left <= 0) return { refused: 'deadline' };
      if (active >= limit) {
        const state = lanes.get(lane.key);
        if ((state?.waiting.length ?? 0) >= perLane) return { refused: 'busy' };
        const started = await new Promise<boolean>((resolve) => {
          const entry: Waiting = {
            start: () => {
              clearTimeout(timer);
              resolve(true);
            },
          };
          const timer = setTimeout(() => {
            const mine = lanes.get(lane.key);
            const at = mine?.waiting.indexOf(entry) ?? -1;
            if (mine && at >= 0) {
              mine.waiting.splice(at, 1);
              if (mine.waiting.length === 0) lanes.delete(lane.key);
            }
            resolve(false);
          }, left);
          const existing = lanes.get(lane.key);
          if (existing) existing.waiting.push(entry);
          // A new lane has been served least recently of all: it goes first among its equals.
          else lanes.set(lane.key, { priority: lane.priority, waiting: [entry], servedAt: 0 });
        });
        if (!started) return { refused: 'deadline' };
      } else active++;
      try {
        // Whatever arrived while this render waited is served before it takes the event loop.
        await new Promise<void>((resolve) => setImmediate(resolve));
        return { rendered: await work() };
      } finally {
        leave();
      }
    },
    get state() {
      let waiting = 0;
      for (const lane of lanes.values()) waiting += lane.waiting.length;
      return { active, waiting };
    },
  };
}
