/**
 * Admission control: at most `limit` requests are worked on at once in one gateway process; the
 * rest wait their turn in arrival order. A request's working memory (the subgraphs' answers, the
 * planner's result tree, the response text) is then bounded by the limit, not by how many
 * clients happen to call at once, and the CPU-bound work gets no slower for the queue.
 *
 * Only requests whose body has arrived enter (pipeline/admit.ts): a client that is slow to send
 * holds no place here.
 */
export class Admission {
  private active = 0;
  private readonly waiting: { admit: () => void; since: number }[] = [];

  /** `limit` 0 admits everything at once. */
  constructor(private readonly limit: number) {}

  /**
   * Resolves once the request may go on; call the returned function when it is done. A `signal`
   * that aborts while the request waits takes it out of the line and rejects with its reason.
   */
  async enter(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.limit > 0) {
      if (this.active >= this.limit) {
        await new Promise<void>((resolve, reject) => {
          const entry = {
            admit: () => {
              signal?.removeEventListener('abort', onAbort);
              resolve();
            },
            since: performance.now(),
          };
          const onAbort = () => {
            const index = this.waiting.indexOf(entry);
            if (index >= 0) this.waiting.splice(index, 1);
            const reason: unknown = signal!.reason;
            reject(reason instanceof Error ? reason : new Error('Left the admission line'));
          };
          signal?.addEventListener('abort', onAbort, { once: true });
          this.waiting.push(entry);
        });
      } else this.active++;
    }
    let left = false;
    return () => {
      if (left || this.limit === 0) return;
      left = true;
      // The slot passes straight to the next in line, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) next.admit();
      else this.active--;
    };
  }

  get state(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  /** How long the first request in line has waited, in ms; 0 when none waits. */
  oldestWaitMs(now = performance.now()): number {
    const first = this.waiting[0];
    return first ? now - first.since : 0;
  }
}
