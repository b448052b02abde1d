/**
 * What the platform pushes to a department (信息推送): a case to act on, an objection to verify, a
 * case withdrawn after repair. The outbox makes it durable before `enqueue` resolves and delivers it
 * to the endpoints the department registered, at least once, signed; the receiver deduplicates by
 * `idempotencyKey`, which stays the same across redeliveries.
 */
export interface OutboxMessage {
  /**
   * The department that receives it: a source department (`TAX`, `COURTS`, …) or an implementing
   * department of the measures catalog, by its id.
   */
  department: string;
  /** What happened, e.g. `case.opened`, `case.withdrawn`, `objection.filed`. */
  topic: string;
  /** The same key for the same fact: enqueuing it again is a no-op. */
  idempotencyKey: string;
  /** The body delivered, as JSON. Never personal data beyond what the department may hold. */
  payload: Record<string, unknown>;
}

/** The durable outbox, as the loop, objections and repair use it. */
export interface Outbox {
  /** Durable once resolved; delivery happens later, with retries. */
  enqueue(messages: readonly OutboxMessage[]): Promise<void>;
}
