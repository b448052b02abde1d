/**
 * Admission control: at most `limit` requests are worked on at once in one gateway process; the
 * rest wait their turn in arrival order. A request's working memory (the subgraphs' answers, the
 * planner's result tree, the response text) is then bounded by the limit, not by how many
 * clients happen to call at once, and the CPU-bound work gets no slower for the queue.
 */
export class Admission {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  /** `limit` 0 admits everything at once. */
  constructor(private readonly limit: number) {}

  /** Resolves once the request may go on; call the returned function when it is done. */
  async enter(): Promise<() => void> {
    if (this.limit > 0) {
      if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
      else this.active++;
    }
    let left = false;
    return () => {
      if (left || this.limit === 0) return;
      left = true;
      // The slot passes straight to the next in line, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }

  get state(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }
}
