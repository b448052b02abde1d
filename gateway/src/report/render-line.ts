/**
 * The line reports wait in to be rendered. Rendering (font subsetting, page layout) is CPU-bound and
 * runs after the GraphQL pipeline has given up its admission place: unbounded, a caller asking for
 * many reports at once would hold the event loop from every other request. Here at most `limit`
 * renders run at once in one process; the rest wait in arrival order, each no longer than its
 * request's deadline.
 */
import { Admission } from '../performance/admission.js';

export interface RenderLine {
  /**
   * `work`'s result once a place is free, or undefined if none was free before the deadline:
   * `timeoutMs` after `startedAt` (a performance.now() time, the request's arrival).
   */
  run<T>(startedAt: number, work: () => Promise<T>): Promise<T | undefined>;
  readonly state: { active: number; waiting: number };
}

export function createRenderLine(limit: number, timeoutMs: number): RenderLine {
  const admission = new Admission(limit);
  return {
    async run(startedAt, work) {
      const left = Math.floor(timeoutMs - (performance.now() - startedAt));
      if (left <= 0) return undefined;
      let leave: () => void;
      try {
        leave = await admission.enter(AbortSignal.timeout(left));
      } catch {
        return undefined;
      }
      try {
        // Whatever arrived while this render waited is served before it takes the event loop.
        await new Promise<void>((resolve) => setImmediate(resolve));
        return await work();
      } finally {
        leave();
      }
    },
    get state() {
      return admission.state;
    },
  };
}
