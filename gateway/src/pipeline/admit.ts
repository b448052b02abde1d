/**
 * Stage 3, admit: at most MAX_CONCURRENT_REQUESTS requests are worked on at once, and none past its
 * deadline (REQUEST_TIMEOUT_MS from arrival). Everything from identifying the caller to shaping the
 * answer runs admitted: token checks and rate budgets count against the limit too, and a request
 * still waiting in line, or still working, at its deadline is answered 504 and registered.
 */
import { CreditGatewayError } from '@credit-gateway/common';
import type { GatewayConfig } from '../config.js';
import type { AdmissionReport } from '../http/health.js';
import { Admission } from '../performance/admission.js';
import { refusal, type Answer } from './answer.js';
import type { RequestContext } from './context.js';

export class Admit {
  private readonly admission: Admission;

  constructor(private readonly config: Pick<GatewayConfig, 'performance'>) {
    this.admission = new Admission(config.performance.maxConcurrentRequests);
  }

  /**
   * `work`'s answer once admitted, or the deadline's. The place is given up when the work is done
   * or at the deadline: what still runs then only waits for subgraph fetches, each ended by
   * SUBGRAPH_TIMEOUT_MS, and must not hold up the line. Work past the deadline is not stopped, only
   * no longer waited for; its eventual answer or error is dropped.
   */
  async run(context: RequestContext, work: () => Promise<Answer>): Promise<Answer> {
    const { deadline } = context;
    if (deadline.aborted) return this.late(context);
    const expired = Symbol('expired');
    let onAbort = () => {};
    const expiry = new Promise<typeof expired>((resolve) => {
      onAbort = () => resolve(expired);
      deadline.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const first = await Promise.race([this.admitted(deadline, work), expiry]);
      return first === expired ? this.late(context) : first;
    } catch (error) {
      if (deadline.aborted) return this.late(context);
      throw error;
    } finally {
      deadline.removeEventListener('abort', onAbort);
    }
  }

  private async admitted(deadline: AbortSignal, work: () => Promise<Answer>): Promise<Answer> {
    const leave = await this.admission.enter(deadline);
    deadline.addEventListener('abort', leave, { once: true });
    try {
      return await work();
    } finally {
      deadline.removeEventListener('abort', leave);
      leave();
    }
  }

  /** The deadline's answer, with what is known of the request so far for the register. */
  private late(context: RequestContext): Answer {
    const { requestTimeoutMs } = this.config.performance;
    const error = new CreditGatewayError(
      'REQUEST_TIMEOUT',
      `The request was not answered within ${requestTimeoutMs} ms`,
    );
    return refusal(504, [error], context.logger, { ...context.progress, transport: true, outcome: 'ERROR' });
  }

  /** The admission line, for /readyz and /metrics. */
  report(): AdmissionReport {
    return { ...this.admission.state, oldestWaitMs: Math.round(this.admission.oldestWaitMs()) };
  }
}
