import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRenderLine } from '../../src/report/render-line.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('the render line', () => {
  it('renders no more reports at once than its limit, in arrival order', async () => {
    const line = createRenderLine(2, 60_000);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const gates = Array.from({ length: 6 }, deferred);
    const runs = gates.map((gate, index) =>
      line.run(performance.now(), async () => {
        running++;
        most = Math.max(most, running);
        order.push(index);
        await gate.promise;
        running--;
        return index;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(line.state).toEqual({ active: 2, waiting: 4 });
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5].map((index) => ({ rendered: index })));
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(line.state).toEqual({ active: 0, waiting: 0 });
  });

  it("gives up on a render still waiting at its request's deadline, and never runs it", async () => {
    const line = createRenderLine(1, 200);
    const gate = deferred();
    const first = line.run(performance.now(), async () => {
      await gate.promise;
      return 'first';
    });
    let ranLate = false;
    const late = line.run(performance.now(), async () => {
      ranLate = true;
      return 'late';
    });
    expect(await late).toEqual({ refused: 'deadline' });
    expect(line.state).toEqual({ active: 1, waiting: 0 });
    gate.resolve();
    expect(await first).toEqual({ rendered: 'first' });
    expect(ranLate).toBe(false);
    // A request already past its deadline is not rendered at all.
    expect(await line.run(performance.now() - 1_000, async () => 'past')).toEqual({ refused: 'deadline' });
  });

  it('serves the highest-priority lane first, then the lane served longest ago, and refuses a full lane', async () => {
    const line = createRenderLine(1, 60_000, 3);
    const started: string[] = [];
    const gate = deferred();
    const run = (name: string, key: string, priority: number) =>
      line.run(
        performance.now(),
        async () => {
          started.push(name);
          await gate.promise;
          return name;
        },
        { key, priority },
      );
    const first = run('first', 'crowd', 1);
    await new Promise((resolve) => setImmediate(resolve));
    const crowd = ['crowd-1', 'crowd-2', 'crowd-3'].map((name) => run(name, 'crowd', 1));
    expect(await run('crowd-4', 'crowd', 1)).toEqual({ refused: 'busy' });
    const other = run('other-1', 'other', 1);
    const officer = run('officer-1', 'approval-system', 3);
    expect(line.state).toEqual({ active: 1, waiting: 5 });
    gate.resolve();
    await Promise.all([first, ...crowd, other, officer]);
    expect(started).toEqual(['first', 'officer-1', 'crowd-1', 'other-1', 'crowd-2', 'crowd-3']);
    expect(line.state).toEqual({ active: 0, waiting: 0 });
  });

  it('never runs more than its limit, keeps each lane in order and loses no render (property)', async () => {
    const arrival = fc.record({ lane: fc.constantFrom('a', 'b', 'c', 'd'), priority: fc.integer({ min: 1, max: 3 }) });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(arrival, { maxLength: 40 }),
        async (limit, arrivals) => {
          const line = createRenderLine(limit, 60_000, 4);
          let running = 0;
          let most = 0;
          const order = new Map<string, number[]>();
          // A lane keeps one priority: its caller's tier.
          const priorityOf = new Map<string, number>();
          const runs = arrivals.map(({ lane, priority }, index) => {
            if (!priorityOf.has(lane)) priorityOf.set(lane, priority);
            return line.run(
              performance.now(),
              async () => {
                running++;
                most = Math.max(most, running);
                order.set(lane, [...(order.get(lane) ?? []), index]);
                await new Promise((resolve) => setImmediate(resolve));
                running--;
                return index;
              },
              { key: lane, priority: priorityOf.get(lane)! },
            );
          });
          const outcomes = await Promise.all(runs);
          expect(most).toBeLessThanOrEqual(limit);
          for (const indices of order.values()) expect(indices).toEqual([...indices].sort((x, y) => x - y));
          const rendered = outcomes.flatMap((outcome) => ('rendered' in outcome ? [outcome.rendered] : []));
          expect(rendered.length + outcomes.filter((outcome) => 'refused' in outcome).length).toBe(arrivals.length);
          expect(outcomes.every((outcome) => !('refused' in outcome) || outcome.refused === 'busy')).toBe(true);
          expect(line.state).toEqual({ active: 0, waiting: 0 });
        },
      ),
      { numRuns: 100 },
    );
  });
});
