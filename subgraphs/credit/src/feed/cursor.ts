import { CreditGatewayError } from '@credit-gateway/common';

/** Ids of changes in the courts' linkage log: `courts:<seq>`. */
const CHANGE_ID = /^courts:([1-9]\d{0,14})$/;

/** The id of the change at this position in the courts' log. */
export function changeId(seq: number): string {
  return `courts:${seq}`;
}

/** The position in the courts' log a change id names, or null when it names none. */
export function seqOfChangeId(id: string): number | null {
  const match = CHANGE_ID.exec(id.trim());
  return match ? Number(match[1]) : null;
}

/** Opaque to clients: the change id, base64url-encoded, so that nobody builds cursors by hand. */
export function encodeCursor(seq: number): string {
  return Buffer.from(changeId(seq)).toString('base64url');
}

/** The position a cursor stands at; anything that is not a cursor this feed issued is BAD_USER_INPUT. */
export function decodeCursor(cursor: string): number {
  const seq = seqOfChangeId(Buffer.from(cursor, 'base64url').toString('utf8'));
  // Base64url decoding skips stray characters; only the exact encoding is a cursor.
  if (seq === null || encodeCursor(seq) !== cursor) {
    throw new CreditGatewayError('BAD_USER_INPUT', "'after' is not a cursor of this feed", {
      extensions: { argument: 'after' },
    });
  }
  return seq;
}
