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
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5]);
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
    expect(await late).toBeUndefined();
    expect(line.state).toEqual({ active: 1, waiting: 0 });
    gate.resolve();
    expect(await first).toBe('first');
    expect(ranLate).toBe(false);
    // A request already past its deadline is not rendered at all.
    expect(await line.run(performance.now() - 1_000, async () => 'past')).toBeUndefined();
  });
});
