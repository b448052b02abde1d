import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@credit-gateway/common';
import { createLinkageLog, type ZxldChange } from '../src/courts/linkage.js';
import { buildCourtsRegistry } from '../src/courts/registry.js';
import { DEMO_PEOPLE, demoCode, startStandIn, type RunningStandIn } from '../src/index.js';

const POPULATION = 3_000;
const CHANGES = '/zxgk/api/zxld/changes';
const registry = buildCourtsRegistry(POPULATION);

/** 2026-11-20 10:00:00 in China. */
const NOW = Date.parse('2026-11-20T10:00:00+08:00');

function everything(log: ReturnType<typeof createLinkageLog>): ZxldChange[] {
  return log.page(0, 0, log.lastSeq() + 1);
}

const ofCase = (changes: readonly ZxldChange[], caseCode: string) =>
  changes.filter((change) => change.caseCode === caseCode);

describe('the courts linkage change log', () => {
  it('is the same on every run, numbered 1…n without gaps, in time order', () => {
    const changes = everything(createLinkageLog(registry));
    expect(everything(createLinkageLog(buildCourtsRegistry(POPULATION)))).toEqual(changes);
    expect(changes.length).toBeGreaterThan(100);
    expect(changes.map((change) => change.seq)).toEqual(changes.map((_, index) => index + 1));
    for (let index = 1; index < changes.length; index++) {
      expect(changes[index]!.time >= changes[index - 1]!.time, `seq ${index + 1}`).toBe(true);
    }
    expect(new Set(changes.map((change) => change.type))).toEqual(new Set(['LISTED', 'REMOVED', 'ISSUED', 'LIFTED']));
  });

  it('follows each case from state to state, and names companies by both their codes', () => {
    const changes = everything(createLinkageLog(registry));
    const state = new Map<string, { listed: boolean; restricted: boolean }>();
    for (const change of changes) {
      const key = `${change.subject.uscc ?? change.subject.idNumber}|${change.caseCode}`;
      const before = state.get(key) ?? { listed: false, restricted: false };
      if (change.type === 'LISTED') expect(before.listed).toBe(false);
      if (change.type === 'REMOVED') expect(before.listed).toBe(true);
      if (change.type === 'ISSUED') expect(before.restricted).toBe(false);
      if (change.type === 'LIFTED') expect(before.restricted).toBe(true);
      const after = { listed: change.listed, restricted: change.restrictedItems !== '' };
      expect(after.listed).toBe(change.type === 'LISTED' || (change.type !== 'REMOVED' && before.listed));
      expect(after.restricted).toBe(change.type === 'ISSUED' || (change.type !== 'LIFTED' && before.restricted));
      state.set(key, after);
      if (change.subject.uscc !== undefined) {
        const { orgCode, uscc } = change.subject;
        expect(orgCode).toBe(`${uscc.slice(8, 16)}-${uscc.slice(16, 17)}`);
        expect(registry.companies.get(uscc.slice(8, 17))).toBe(uscc);
        expect(change.subject.idNumber).toBeUndefined();
      } else {
        expect(change.subject.idNumber).toMatch(/^\d{17}[\dX]$/);
        expect(change.boundPersons).toEqual([]);
      }
      expect(change.caseCode).toMatch(/^\(\d{4}\)\S+执\d+号$/);
    }
  });

  it("holds the demo subjects' scripted events", () => {
    const changes = everything(createLinkageLog(registry));
    const partialDebtor = { name: '重庆渝东建筑工程有限公司', orgCode: 'MA60YD7K-7', uscc: demoCode('partial-debtor') };
    const zhou = { xm: '周德明', zjhm: DEMO_PEOPLE.partialDebtorRepresentative.idNumber, sf: '法定代表人' };
    expect(ofCase(changes, '(2023)渝0112执1234号')).toEqual([
      {
        seq: expect.any(Number),
        time: '2023-06-05 16:20:00',
        type: 'ISSUED',
        caseCode: '(2023)渝0112执1234号',
        subject: partialDebtor,
        restrictedItems: '1,2,3,4,5,6,7,8,9',
        boundPersons: [zhou],
        listed: false,
      },
      {
        seq: expect.any(Number),
        time: '2023-08-21 10:15:00',
        type: 'LISTED',
        caseCode: '(2023)渝0112执1234号',
        subject: partialDebtor,
        restrictedItems: '1,2,3,4,5,6,7,8,9',
        boundPersons: [zhou],
        listed: true,
      },
    ]);

    const wang = { name: '王建国', idNumber: DEMO_PEOPLE.debtorRepresentative.idNumber };
    expect(ofCase(changes, '(2024)川0104执2817号')).toEqual([
      {
        seq: expect.any(Number),
        time: '2024-03-25 14:05:00',
        type: 'ISSUED',
        caseCode: '(2024)川0104执2817号',
        subject: wang,
        restrictedItems: '1,2,3,4,5,6,7,8,9',
        boundPersons: [],
        listed: false,
      },
      {
        seq: expect.any(Number),
        time: '2024-05-06 09:40:00',
        type: 'LISTED',
        caseCode: '(2024)川0104执2817号',
        subject: wang,
        restrictedItems: '1,2,3,4,5,6,7,8,9',
        boundPersons: [],
        listed: true,
      },
    ]);

    const seriousIllegal = ofCase(changes, '(2021)津0116执5521号');
    expect(
      seriousIllegal.map(({ time, type, listed, restrictedItems }) => ({ time, type, listed, restrictedItems })),
    ).toEqual([
      // A lifted order's time of day is lost: its issue is placed at the start of office hours.
      { time: '2021-07-02 09:00:00', type: 'ISSUED', listed: false, restrictedItems: '1,2,3,4,5,6,7,8,9' },
      { time: '2021-09-14 11:02:00', type: 'LISTED', listed: true, restrictedItems: '1,2,3,4,5,6,7,8,9' },
      { time: '2024-04-22 15:30:00', type: 'LIFTED', listed: true, restrictedItems: '' },
      { time: '2024-04-22 15:30:00', type: 'REMOVED', listed: false, restrictedItems: '' },
    ]);
    expect(seriousIllegal[3]!.subject).toEqual({
      name: '天津乾坤物流有限公司',
      orgCode: 'MA05LQ3B-6',
      uscc: demoCode('serious-illegal'),
    });
    expect(seriousIllegal[3]!.boundPersons).toEqual([{ xm: '孙磊', zjhm: '120116198104060033', sf: '法定代表人' }]);
  });

  it('pages by sequence number and time', () => {
    const log = createLinkageLog(registry);
    const changes = everything(log);
    expect(log.page(0, 0, 5)).toEqual(changes.slice(0, 5));
    expect(log.page(0, 5, 5)).toEqual(changes.slice(5, 10));
    expect(log.page(0, log.lastSeq(), 5)).toEqual([]);
    expect(log.page(0, log.lastSeq() + 10, 5)).toEqual([]);
    const since = Date.parse('2024-01-01T00:00:00+08:00');
    const first = changes.findIndex((change) => change.time >= '2024-01-01 00:00:00');
    expect(first).toBeGreaterThan(0);
    expect(log.page(since, 0, 3)).toEqual(changes.slice(first, first + 3));
    // Whichever is later, the cursor or the time, decides where the page starts.
    expect(log.page(since, first + 2, 3)).toEqual(changes.slice(first + 2, first + 5));
    expect(log.page(since, 2, 3)).toEqual(changes.slice(first, first + 3));
  });

  it('appends changes at the current time that follow from the case state, and refuses the rest', () => {
    let now = NOW;
    const log = createLinkageLog(registry, { now: () => now });
    const last = log.lastSeq();
    const removed = log.append({ type: 'REMOVED', caseCode: '（2023）渝0112执1234号' });
    expect(removed).toEqual({
      seq: last + 1,
      time: '2026-11-20 10:00:00',
      type: 'REMOVED',
      caseCode: '(2023)渝0112执1234号',
      subject: { name: '重庆渝东建筑工程有限公司', orgCode: 'MA60YD7K-7', uscc: demoCode('partial-debtor') },
      restrictedItems: '1,2,3,4,5,6,7,8,9',
      boundPersons: [{ xm: '周德明', zjhm: DEMO_PEOPLE.partialDebtorRepresentative.idNumber, sf: '法定代表人' }],
      listed: false,
    });
    expect(log.append({ type: 'REMOVED', caseCode: '(2023)渝0112执1234号' })).toBe('该案件被执行人不在失信名单中');
    expect(log.append({ type: 'ISSUED', caseCode: '(2023)渝0112执1234号', restrictedItems: '1' })).toBe(
      '该案件已有有效的限制消费令',
    );
    // A clock running behind the log cannot put a change before the last one.
    now = Date.parse('2020-01-01T00:00:00+08:00');
    const lifted = log.append({ type: 'LIFTED', caseCode: '(2023)渝0112执1234号' });
    expect(lifted).toMatchObject({ seq: last + 2, time: '2026-11-20 10:00:00', restrictedItems: '', listed: false });

    now = NOW + 61_000;
    expect(log.append({ type: 'LISTED', caseCode: '(2026)渝0112执77号' })).toBe(
      '案号(2026)渝0112执77号不存在: 新案件须提供subject',
    );
    const person = { name: '赵六', idNumber: DEMO_PEOPLE.cleanSmeRepresentative.idNumber };
    expect(log.append({ type: 'LISTED', caseCode: '(2026)渝0112执77号', subject: person })).toEqual({
      seq: last + 3,
      time: '2026-11-20 10:01:01',
      type: 'LISTED',
      caseCode: '(2026)渝0112执77号',
      subject: person,
      restrictedItems: '',
      boundPersons: [],
      listed: true,
    });
    expect(log.append({ type: 'ISSUED', caseCode: '(2026)渝0112执77号', restrictedItems: '1,10' })).toBe(
      '限制消费事项须为1至9, 逗号分隔',
    );
    expect(log.append({ type: 'ISSUED', caseCode: '(2026)渝0112执77号', restrictedItems: '1,2,9' })).toMatchObject({
      seq: last + 4,
      type: 'ISSUED',
      restrictedItems: '1,2,9',
      listed: true,
    });
    expect(log.lastSeq()).toBe(last + 4);
    expect(log.page(0, last, 10).map((change) => change.type)).toEqual(['REMOVED', 'LIFTED', 'LISTED', 'ISSUED']);
  });
});

describe('the courts linkage interface over HTTP', () => {
  let standIn: RunningStandIn;

  beforeAll(async () => {
    standIn = await startStandIn('courts', { logger: silentLogger(), populationSize: POPULATION, port: 0 });
  });

  afterAll(async () => {
    await standIn?.close();
  });

  async function get(query: string): Promise<{ status: number; body: any }> {
    const response = await fetch(`${standIn.url}${CHANGES}?${query}`);
    return { status: response.status, body: await response.json() };
  }

  async function post(body: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${standIn.url}/_sim/linkage/changes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  it('answers pages in its own format', async () => {
    const expected = everything(createLinkageLog(registry));
    const first = await get('afterSeq=0&limit=3');
    expect(first).toEqual({
      status: 200,
      body: { result: 'success', message: '查询成功', changes: expected.slice(0, 3), lastSeq: expected.length },
    });
    const since = await get(`since=${encodeURIComponent('2024-04-22T15:30:00+08:00')}&afterSeq=0&limit=2`);
    expect(since.body.changes).toEqual(expected.filter((change) => change.time >= '2024-04-22 15:30:00').slice(0, 2));
    expect((await get('')).body.changes).toEqual(expected.slice(0, 100));
  });

  it('refuses bad parameters', async () => {
    expect(await get('since=yesterday')).toEqual({ status: 400, body: { result: 'fail', message: '参数错误: since' } });
    expect(await get('afterSeq=-1')).toEqual({ status: 400, body: { result: 'fail', message: '参数错误: afterSeq' } });
    expect(await get('limit=0')).toEqual({
      status: 400,
      body: { result: 'fail', message: '参数错误: limit 须为1至1000' },
    });
    expect((await get('limit=1001')).status).toBe(400);
  });

  it('appends through the control endpoint, and the new change comes last', async () => {
    const before = (await get('limit=1')).body.lastSeq as number;
    const appended = await post({ type: 'LIFTED', caseCode: '(2024)川0104执2817号' });
    expect(appended.status).toBe(201);
    expect(appended.body).toMatchObject({
      seq: before + 1,
      type: 'LIFTED',
      caseCode: '(2024)川0104执2817号',
      subject: { name: '王建国', idNumber: DEMO_PEOPLE.debtorRepresentative.idNumber },
      restrictedItems: '',
      listed: true,
    });
    expect(appended.body.time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const tail = await get(`afterSeq=${before}`);
    expect(tail.body).toEqual({
      result: 'success',
      message: '查询成功',
      changes: [appended.body],
      lastSeq: before + 1,
    });

    expect(await post({ type: 'LIFTED', caseCode: '(2024)川0104执2817号' })).toEqual({
      status: 400,
      body: { result: 'fail', message: '该案件没有有效的限制消费令' },
    });
    expect(await post({ type: 'PAUSED', caseCode: '(2024)川0104执2817号' })).toEqual({
      status: 400,
      body: { result: 'fail', message: 'type must be LISTED, REMOVED, ISSUED or LIFTED' },
    });
    expect(
      await post({ type: 'LISTED', caseCode: '(2026)川0104执1号', subject: { name: '某公司', uscc: 'X' } }),
    ).toEqual({ status: 400, body: { result: 'fail', message: 'subject.uscc must be an 18-character credit code' } });
    expect((await get('limit=1')).body.lastSeq).toBe(before + 1);
  });
});
