import { describe, expect, it } from 'vitest';
import { SourceError } from '@credit-gateway/common';
import { decodeCursor, encodeCursor, seqOfChangeId } from '../src/feed/cursor.js';
import { changeNode, readFeedPage } from '../src/feed/feed.js';
import { checkFeedback, isCourtMeasure } from '../src/feed/feedback.js';
import type { LinkageClient } from '../src/models.js';
import { loadMeasuresCatalog } from '../src/rules/catalog.js';
import { translatePage, type LinkageChange, type LinkageRequest } from '../src/source/linkage.js';

const catalog = loadMeasuresCatalog();

/** A change as the courts' linkage interface sends it. */
function legacyChange(overrides: Record<string, unknown> = {}) {
  return {
    seq: 12,
    time: '2023-08-21 10:15:00',
    type: 'LISTED',
    caseCode: '（2023）渝0112执1234号',
    subject: { name: '重庆渝东建筑工程有限公司', orgCode: 'MA60YD7K-7', uscc: '91500112ma60yd7k76' },
    restrictedItems: '1,2,9',
    boundPersons: [
      { xm: '周德明', zjhm: '500112197508226133', sf: '法定代表人' },
      { xm: '某某', zjhm: '', sf: '实际控制人' },
    ],
    listed: true,
    ...overrides,
  };
}

const envelope = (changes: unknown[], lastSeq = 40) => ({ result: 'success', message: '查询成功', changes, lastSeq });

function sourceFailure(run: () => unknown): { code: unknown; source: unknown; cause: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SourceError);
    const failure = error as SourceError;
    return { code: failure.extensions['code'], source: failure.extensions['source'], cause: String(failure.cause) };
  }
  throw new Error('expected a SourceError');
}

describe('the linkage adapter', () => {
  it("translates the courts' format", () => {
    const person = legacyChange({
      seq: 13,
      time: '2024-03-25 14:05:00',
      type: 'ISSUED',
      caseCode: '(2024)川0104执2817号',
      subject: { name: '王建国', idNumber: '510107198203154517' },
      restrictedItems: '９，1',
      boundPersons: [],
      listed: false,
    });
    expect(translatePage(envelope([legacyChange(), person]))).toEqual({
      changes: [
        {
          seq: 12,
          changedAt: '2023-08-21T10:15:00+08:00',
          type: 'LISTED',
          caseNumber: '(2023)渝0112执1234号',
          debtor: { name: '重庆渝东建筑工程有限公司', code: '91500112MA60YD7K76', idNumber: null },
          listed: true,
          restrictedItems: [1, 2, 9],
          boundPersons: [
            { name: '周德明', role: 'LEGAL_REPRESENTATIVE', idNumber: '500112197508226133' },
            { name: '某某', role: 'ACTUAL_CONTROLLER', idNumber: null },
          ],
        },
        {
          seq: 13,
          changedAt: '2024-03-25T14:05:00+08:00',
          type: 'ISSUED',
          caseNumber: '(2024)川0104执2817号',
          debtor: { name: '王建国', code: null, idNumber: '510107198203154517' },
          listed: false,
          restrictedItems: [1, 9],
          boundPersons: [],
        },
      ],
      lastSeq: 40,
    });
    // A company the courts know by organization code only has no credit code in the feed.
    const orgOnly = legacyChange({ subject: { name: '某公司', orgCode: 'MA60YD7K-7' }, restrictedItems: '' });
    expect(translatePage(envelope([orgOnly])).changes[0]).toMatchObject({
      debtor: { name: '某公司', code: null, idNumber: null },
      restrictedItems: [],
    });
  });

  it('fails the whole page on anything it cannot read, naming the courts', () => {
    const cases: [string, unknown, string][] = [
      ['a failure', { result: 'fail', message: '系统繁忙' }, 'result fail'],
      [
        'an organization code that is not the credit code’s',
        envelope([legacyChange({ subject: { name: 'X', orgCode: 'MA60YD7K-8', uscc: '91500112MA60YD7K76' } })]),
        'orgCode: expected the organization code embedded in uscc',
      ],
      [
        'an unknown type',
        envelope([legacyChange({ type: 'PAUSED' })]),
        'type: expected LISTED, REMOVED, ISSUED, LIFTED',
      ],
      [
        'a time in another format',
        envelope([legacyChange({ time: '2023/08/21' })]),
        'time: expected YYYY-MM-DD HH:mm:ss',
      ],
      ['an unknown item', envelope([legacyChange({ restrictedItems: '1,10' })]), "unknown restricted item '10'"],
      [
        'an unknown role',
        envelope([legacyChange({ boundPersons: [{ xm: 'A', zjhm: '', sf: '股东' }] })]),
        "unknown role '股东'",
      ],
      ['listed as text', envelope([legacyChange({ listed: 'true' })]), 'listed: expected true or false'],
      [
        'a bad ID number',
        envelope([legacyChange({ subject: { name: 'A', idNumber: '510107198203154518' } })]),
        'idNumber',
      ],
      [
        'changes out of order',
        envelope([legacyChange({ seq: 5 }), legacyChange({ seq: 5 })]),
        'changes[1].seq: expected ascending sequence numbers',
      ],
      ['no lastSeq', { result: 'success', changes: [] }, 'lastSeq: expected a number'],
    ];
    for (const [what, body, cause] of cases) {
      const failure = sourceFailure(() => translatePage(body));
      expect(failure, what).toMatchObject({ code: 'SOURCE_BAD_RESPONSE', source: 'courts' });
      expect(failure.cause, what).toContain(cause);
    }
    // The ID number itself never reaches the message that is logged.
    const failure = sourceFailure(() =>
      translatePage(envelope([legacyChange({ subject: { name: 'A', idNumber: '510107198203154518' } })])),
    );
    expect(failure.cause).not.toContain('510107198203154518');
  });
});

describe('cursors and change ids', () => {
  it('round-trips, and refuses anything this feed did not issue', () => {
    expect(encodeCursor(1)).toBe('Y291cnRzOjE');
    expect(decodeCursor(encodeCursor(987_654))).toBe(987_654);
    expect(seqOfChangeId('courts:42')).toBe(42);
    for (const id of ['courts:0', 'courts:-1', 'courts:01', 'market:4', 'courts:4x', '']) {
      expect(seqOfChangeId(id), id).toBeNull();
    }
    const refused = [
      'garbage!',
      `${encodeCursor(5)}=`,
      Buffer.from('courts:0').toString('base64url'),
      Buffer.from('objection:5').toString('base64url'),
      Buffer.from('5').toString('base64url'),
      '',
    ];
    for (const cursor of refused) {
      expect(() => decodeCursor(cursor), cursor).toThrowError(
        expect.objectContaining({
          message: "'after' is not a cursor of this feed",
          extensions: { code: 'BAD_USER_INPUT', argument: 'after' },
        }),
      );
    }
  });
});

function change(seq: number, overrides: Partial<LinkageChange> = {}): LinkageChange {
  return {
    seq,
    changedAt: '2024-01-01T09:00:00+08:00',
    type: 'LISTED',
    caseNumber: `(2024)渝0112执${seq}号`,
    debtor: { name: '某公司', code: '91500112MA60YD7K76', idNumber: null },
    listed: true,
    restrictedItems: [],
    boundPersons: [],
    ...overrides,
  };
}

/** A linkage client over a fixed log, recording what it was asked. */
function fakeLinkage(log: LinkageChange[], answer?: (request: LinkageRequest) => LinkageChange[]) {
  const requests: LinkageRequest[] = [];
  const client: LinkageClient = {
    baseUrl: 'http://courts.invalid',
    changes(request) {
      requests.push(request);
      const since = Date.parse(request.since);
      const changes =
        answer?.(request) ??
        log.filter((c) => c.seq > request.afterSeq && Date.parse(c.changedAt) >= since).slice(0, request.limit);
      return Promise.resolve({ changes, lastSeq: log.length });
    },
  };
  return { client, requests };
}

describe('a page of the feed', () => {
  const log = Array.from({ length: 5 }, (_, index) => change(index + 1));

  it('asks the courts for one more than it shows, to know whether more follow', async () => {
    const { client, requests } = fakeLinkage(log);
    const page = await readFeedPage(client, catalog, { changedSince: '2020-01-01T00:00:00Z', first: 2 });
    expect(requests).toEqual([{ since: '2020-01-01T00:00:00.000Z', afterSeq: 0, limit: 3 }]);
    expect(page.edges.map((edge) => [edge.cursor, edge.node.id])).toEqual([
      [encodeCursor(1), 'courts:1'],
      [encodeCursor(2), 'courts:2'],
    ]);
    expect(page.pageInfo).toEqual({ endCursor: encodeCursor(2), hasNextPage: true });

    const last = await readFeedPage(client, catalog, {
      changedSince: '2020-01-01T08:00:00+08:00',
      after: encodeCursor(3),
      first: 2,
    });
    expect(requests[1]).toEqual({ since: '2020-01-01T00:00:00.000Z', afterSeq: 3, limit: 3 });
    expect(last.edges.map((edge) => edge.node.id)).toEqual(['courts:4', 'courts:5']);
    expect(last.pageInfo).toEqual({ endCursor: encodeCursor(5), hasNextPage: false });

    // Past the end, the page keeps the cursor it was given: the client polls on from there.
    const empty = await readFeedPage(client, catalog, { changedSince: '2020-01-01T00:00:00Z', after: encodeCursor(5) });
    expect(empty).toEqual({ edges: [], pageInfo: { endCursor: encodeCursor(5), hasNextPage: false } });
    expect(await readFeedPage(client, catalog, { changedSince: '2030-01-01T00:00:00Z' })).toEqual({
      edges: [],
      pageInfo: { endCursor: null, hasNextPage: false },
    });
    expect(requests.at(-1)?.limit).toBe(101);
  });

  it('refuses page sizes out of range and bad cursors before asking the courts', async () => {
    const { client, requests } = fakeLinkage(log);
    for (const first of [0, 501, -3, 2.5]) {
      await expect(
        readFeedPage(client, catalog, { changedSince: '2020-01-01T00:00:00Z', first }),
      ).rejects.toMatchObject({
        message: "'first' must be from 1 to 500",
        extensions: { code: 'BAD_USER_INPUT', argument: 'first', minimum: 1, maximum: 500 },
      });
    }
    await expect(
      readFeedPage(client, catalog, { changedSince: '2020-01-01T00:00:00Z', after: 'nonsense' }),
    ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'after' } });
    await expect(readFeedPage(client, catalog, { changedSince: 'yesterday' })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', argument: 'changedSince' },
    });
    expect(requests).toEqual([]);
    expect(
      (await readFeedPage(client, catalog, { changedSince: '2020-01-01T00:00:00Z', first: 500 })).edges,
    ).toHaveLength(5);
  });

  it('refuses an answer that would show a change twice', async () => {
    const { client } = fakeLinkage(log, () => [change(3), change(4)]);
    await expect(
      readFeedPage(client, catalog, { changedSince: '2020-01-01T00:00:00Z', after: encodeCursor(3) }),
    ).rejects.toMatchObject({ extensions: { code: 'SOURCE_BAD_RESPONSE', source: 'courts' } });
  });

  it('shows the restrictions in force as catalog measures with their legal basis', () => {
    const node = changeNode(
      change(7, {
        type: 'ISSUED',
        debtor: { name: '王建国', code: null, idNumber: '510107198203154517' },
        restrictedItems: [1, 9],
        boundPersons: [{ name: '周德明', role: 'LEGAL_REPRESENTATIVE', idNumber: '500112197508226133' }],
      }),
      catalog,
    );
    expect(node).toEqual({
      id: 'courts:7',
      changedAt: '2024-01-01T09:00:00+08:00',
      change: 'ISSUED',
      caseNumber: '(2024)渝0112执7号',
      debtorName: '王建国',
      debtorCode: null,
      debtorIdNumber: '510107198203154517',
      listed: true,
      restrictions: [
        {
          measure: catalog.get('RESTRICT-1'),
          legalBasis: '《最高人民法院关于限制被执行人高消费及有关消费的若干规定》第三条第（一）项',
        },
        {
          measure: catalog.get('RESTRICT-9'),
          legalBasis: '《最高人民法院关于限制被执行人高消费及有关消费的若干规定》第三条第（九）项',
        },
      ],
      boundPersons: [{ name: '周德明', role: 'LEGAL_REPRESENTATIVE', idNumber: '500112197508226133' }],
    });
  });
});

describe('checking a feedback report', () => {
  const input = {
    changeId: 'courts:12',
    measureId: 'RESTRICT-1',
    action: '已在购票系统中限制乘坐飞机',
    actedOn: '2026-11-19',
    idempotencyKey: 'caac-0001',
  };

  it('takes measures on the court lists only', () => {
    expect(isCourtMeasure(catalog, 'RESTRICT-9')).toBe(true);
    expect(isCourtMeasure(catalog, 'PROCUREMENT-BAN')).toBe(true);
    const taxOnly = catalog
      .all()
      .find((m) => !m.targetLists.includes('失信被执行人名单') && !m.targetLists.includes('限制消费被执行人名单'));
    expect(taxOnly).toBeDefined();
    expect(isCourtMeasure(catalog, taxOnly!.id)).toBe(false);
    expect(isCourtMeasure(catalog, 'NO-SUCH-MEASURE')).toBe(false);
  });

  it('reports every problem at once', () => {
    expect(checkFeedback(input, catalog, '2026-11-20')).toEqual({
      changeId: 'courts:12',
      seq: 12,
      measureId: 'RESTRICT-1',
      action: '已在购票系统中限制乘坐飞机',
      actedOn: '2026-11-19',
      idempotencyKey: 'caac-0001',
    });
    const bad = { changeId: 'c12', measureId: 'RESTRICT-10', action: '  ', actedOn: '2026-11-21', idempotencyKey: '' };
    expect(() => checkFeedback(bad, catalog, '2026-11-20')).toThrowError(
      expect.objectContaining({
        extensions: {
          code: 'BAD_USER_INPUT',
          problems: [
            "changeId must be the id of a change of the feed, like 'courts:123'",
            "measureId 'RESTRICT-10' is not in the measures catalog",
            'action must not be empty',
            'actedOn 2026-11-21 is after today (2026-11-20)',
            'idempotencyKey must not be empty',
          ],
        },
      }),
    );
  });
});
