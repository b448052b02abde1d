/**
 * Stage 10, register: nothing is answered before its record is durable in the query register
 * (查询使用登记). A liveness probe reads no credit information and is not recorded, nor is a
 * throttled failed-authentication refusal beyond the first of its period; a register that cannot
 * take the record makes the answer a 503 REGISTER_UNAVAILABLE instead.
 */
import { CreditGatewayError } from '@credit-gateway/common';
import type { QueryRecordInput } from '../register/index.js';
import type { GatewayServices } from '../services.js';
import { Answer, NO_DOCUMENT_HASH } from './answer.js';
import type { RequestContext } from './context.js';

export class Register {
  constructor(private readonly services: Pick<GatewayServices, 'register'>) {}

  /** The answer to send: `answer` once recorded, or the register's refusal. */
  async run(context: RequestContext, answer: Answer): Promise<{ answer: Answer; registered: boolean }> {
    if (answer.probe || answer.unregistered) return { answer, registered: false };
    const { caller } = context;
    const record: QueryRecordInput = {
      time: context.time,
      requestId: context.requestId,
      caller: caller.subject,
      client: caller.client,
      tier: caller.tier,
      purpose: context.purpose,
      operationName: answer.operationName ?? null,
      operationHash: answer.operationHash ?? NO_DOCUMENT_HASH,
      subjects: answer.subjects ?? [],
      fieldsReturned: answer.fieldsReturned ?? [],
      fieldsDenied: answer.fieldsDenied ?? [],
      outcome: answer.outcome,
      errorCodes: [...new Set((answer.body.errors ?? []).map((e) => String(e.extensions?.['code'])))],
    };
    const end = context.hooks.onRegister?.(context, record);
    const started = end ? performance.now() : 0;
    try {
      await this.services.register.append(record);
    } catch (error) {
      end?.({ durationMs: performance.now() - started, committed: false });
      context.logger.error({ err: error }, 'query register unavailable');
      const unavailable = new CreditGatewayError(
        'REGISTER_UNAVAILABLE',
        'The query register cannot record this request, so it is not answered; try again later',
      );
      const refused = new Answer({
        status: 503,
        transport: true,
        body: { errors: [unavailable.toJSON()] },
        outcome: 'ERROR',
      });
      return { answer: refused, registered: false };
    }
    end?.({ durationMs: performance.now() - started, committed: true });
    return { answer, registered: true };
  }
}
