/**
 * The outbox (信息推送): what the platform pushes to departments, durable on the credit store,
 * delivered to the webhook endpoints each department registers, signed (RFC 9421, Ed25519),
 * at least once, with retries, backoff and a dead-letter state.
 */
export type { Outbox, OutboxMessage } from './port.js';
export {
  DurableOutbox,
  openOutbox,
  OutboxInputError,
  OUTBOX_LIMITS,
  checkEndpointUrl,
  hostAllowed,
  type DeliveryView,
  type DurableOutboxOptions,
} from './outbox.js';
export { type DeliveryState, type EndpointRecord, type MessageRecord } from './book.js';
export { isDepartmentId } from './departments.js';
export {
  DEFAULT_DISPATCHER_SETTINGS,
  httpSender,
  type DispatcherSettings,
  type Sender,
  type SendOutcome,
} from './dispatcher.js';
export {
  contentDigest,
  DEFAULT_MAX_AGE_SECONDS,
  ephemeralSigningKey,
  readSigningKey,
  signDelivery,
  signingKeyOf,
  verifyDelivery,
  type OutboxSigningKey,
  type ReceivedDelivery,
  type VerifiedDelivery,
} from './signing.js';
