/**
 * Department ids the outbox pushes to: the source departments (`TAX`, `COURTS`, …) and the
 * implementing departments of the measures catalog — the closed list a token may name, checked in
 * one place for tokens, the registry and the outbox alike.
 */
export { isDepartmentId } from '@credit-gateway/common';
