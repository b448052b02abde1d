import type { PeopleEntry, PeopleJournal } from '../rules/representatives.js';
import type { EventStore } from './event-store.js';
import { KeyedLock } from './keyed-lock.js';

export const PEOPLE_STREAM_PREFIX = 'people/';

/** Who answers for an enterprise, and its black-list memberships, as last checked (落实到人). */
export interface PeopleIndexed extends PeopleEntry {
  type: 'PEOPLE_INDEXED';
  at: string;
}

/**
 * The person index's journal on the credit store: one stream per enterprise, a new event when what
 * the index knows of it changes. People are kept as keyed digests of their ID numbers.
 */
export function peopleJournal(events: EventStore, now: () => Date): PeopleJournal {
  // One write per enterprise at a time, so that two checks in flight never take the same version.
  const lock = new KeyedLock();
  return {
    async record(entry) {
      const stream = `${PEOPLE_STREAM_PREFIX}${entry.code}`;
      const data: PeopleIndexed = { type: 'PEOPLE_INDEXED', ...entry, at: now().toISOString() };
      // One key per version of the stream: an entry that changes back is written again.
      await lock.run([stream], () => events.append(stream, data, `v${events.read(stream).length + 1}`));
    },
    replay(apply) {
      events.project((event) => {
        if (!event.stream.startsWith(PEOPLE_STREAM_PREFIX)) return;
        const { type: _type, at: _at, ...entry } = event.data as unknown as PeopleIndexed;
        // Stored events are frozen; the index keeps its own copies.
        apply(JSON.parse(JSON.stringify(entry)) as PeopleEntry);
      });
    },
  };
}
