import { describe, expect, it } from 'vitest';
import { Admission } from '../../src/performance/admission.js';

describe('admission', () => {
  it('works on at most `limit` requests at once and lets the others in in arrival order', async () => {
    const admission = new Admission(2);
    const order: number[] = [];
    const leaves = await Promise.all([admission.enter(), admission.enter()]);
    const queued = [3, 4, 5].map((n) => admission.enter().then((leave) => (order.push(n), leave)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(admission.state).toEqual({ active: 2, waiting: 3 });
    leaves[0]!();
    leaves[0]!(); // leaving twice frees one slot only
    const third = await queued[0]!;
    expect(order).toEqual([3]);
    expect(admission.state).toEqual({ active: 2, waiting: 2 });
    leaves[1]!();
    third();
    for (const next of queued.slice(1)) (await next)();
    expect(order).toEqual([3, 4, 5]);
    expect(admission.state).toEqual({ active: 0, waiting: 0 });
  });

  it('admits everything at once with limit 0', async () => {
    const admission = new Admission(0);
    const leaves = await Promise.all(Array.from({ length: 100 }, () => admission.enter()));
    expect(admission.state).toEqual({ active: 0, waiting: 0 });
    for (const leave of leaves) leave();
  });

  it('takes a request whose signal aborts out of the line, and counts how long the first has waited', async () => {
    const admission = new Admission(1);
    const leave = await admission.enter();
    expect(admission.oldestWaitMs()).toBe(0);
    const impatient = new AbortController();
    const gone = admission.enter(impatient.signal);
    const patient = admission.enter();
    await new Promise((resolve) => setImmediate(resolve));
    expect(admission.state).toEqual({ active: 1, waiting: 2 });
    expect(admission.oldestWaitMs(performance.now() + 60_000)).toBeGreaterThanOrEqual(60_000);
    impatient.abort(new Error('deadline'));
    await expect(gone).rejects.toThrow('deadline');
    expect(admission.state).toEqual({ active: 1, waiting: 1 });
    leave();
    (await patient)();
    expect(admission.state).toEqual({ active: 0, waiting: 0 });
    await expect(admission.enter(AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });
});
