export { openCreditStore, overlaysOf, type CreditStoreOptions } from './credit-store.js';
export {
  DEFAULT_STORE_DIR,
  openEventStore,
  StoreStartError,
  type AppendResult,
  type EventStore,
  type EventStoreConfig,
  type StoredEvent,
} from './event-store.js';
export {
  isOpen,
  isOverdue,
  OBJECTION_TRANSITIONS,
  ObjectionBook,
  objectionView,
  type ObjectionState,
} from './objections.js';
export { RepairBook } from './repairs.js';
export { CommitmentBook, COMMITMENT_TRANSITIONS, isCommitmentOverdue } from './commitments.js';
export { DEFAULT_OBJECTION_POLICY_FILE, loadObjectionPolicy, type ObjectionPolicy } from './policy.js';
export { mayActOnObjections, type Caller } from './caller.js';
