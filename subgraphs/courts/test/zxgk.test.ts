import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FieldReader,
  LegacyFormatError,
  listen,
  sendJson,
  SourceError,
  type RunningServer,
} from '@credit-gateway/common';
import { companyKey, personKey } from '../src/source/models.js';
import {
  createZxgkSource,
  performancePart,
  performanceStatus,
  provinceName,
  restrictedItems,
  subjectOfCardNumber,
  translateDebtor,
  translateRestriction,
} from '../src/source/zxgk.js';

const COMPANY = '91500112MA60YD7K76';
const OTHER_COMPANY = '91120116MA05LQ3B65';
const PERSON = '510107198203154517';

function debtor(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 1503212086,
    iname: '重庆渝东建筑工程有限公司',
    caseCode: '(2023)渝0112执1234号',
    cardNum: 'MA60YD7K-7',
    businessEntity: '周德明',
    courtName: '重庆市渝北区人民法院',
    areaName: '重庆',
    gistId: '(2022)渝0112民初15867号',
    gistUnit: '重庆市渝北区人民法院',
    regDate: '2023年05月12日',
    duty: '支付工程款1860000元',
    performance: '部分履行',
    performedPart: '600000元',
    unperformPart: '1260000元',
    disruptTypeName: '有履行能力而拒不履行生效法律文书确定义务',
    publishDate: Date.parse('2023-08-21T10:15:00+08:00'),
    revokeState: '0',
    revokeDate: null,
    revokeReason: null,
    ...overrides,
  };
}

function order(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ajbs: '5001122023000001234',
    ah: '（2023）渝0112执1234号',
    fymc: '重庆市渝北区人民法院',
    fbrq: '20230605',
    xfrmc: '重庆渝东建筑工程有限公司',
    xfrzjhm: 'MA60YD7K-7',
    xzsx: '1,2,3,4,5,6,7,8,9',
    glry: [{ xm: '王建国', zjhm: PERSON, sf: '实际控制人' }],
    zt: '有效',
    jcrq: '',
    gxsj: '2023-06-05 16:20:00',
    ...overrides,
  };
}

describe('legacy values', () => {
  it('reads card numbers: organization codes in any spelling, ID numbers of both generations', () => {
    expect(subjectOfCardNumber('MA60YD7K-7')).toEqual({ kind: 'ORG', organizationCode: 'MA60YD7K7' });
    expect(subjectOfCardNumber(' ma60yd7k－7 ')).toEqual({ kind: 'ORG', organizationCode: 'MA60YD7K7' });
    expect(subjectOfCardNumber('MA60YD7K7')).toEqual({ kind: 'ORG', organizationCode: 'MA60YD7K7' });
    expect(subjectOfCardNumber('11010519491231002x')).toEqual({ kind: 'ID', idNumber: '11010519491231002X' });
    expect(subjectOfCardNumber('510104600101057')).toEqual({ kind: 'ID', idNumber: '510104196001010576' });
    // The public list masks birth dates; such a number names nobody in particular.
    expect(() => subjectOfCardNumber('5101071982****4517')).toThrow(LegacyFormatError);
    expect(() => subjectOfCardNumber('510107198203154510')).toThrow(LegacyFormatError);
  });

  it('reads restricted items in any separator, in schema order, without repeats', () => {
    expect(restrictedItems('9，1、5 5;2')).toEqual([
      'FLIGHTS_SOFT_SLEEPERS_SHIPS',
      'STAR_HOTELS_NIGHTCLUBS_GOLF',
      'NON_ESSENTIAL_VEHICLES',
      'HIGH_SPEED_TRAIN_FIRST_CLASS',
    ]);
    expect(() => restrictedItems('1,10')).toThrow("unknown restricted item '10'");
    expect(() => restrictedItems(' , ')).toThrow('at least one item');
  });

  it('reads performance both ways the site has written it, and 暂无 as nothing', () => {
    expect(performanceStatus('全部未履行')).toBe('NOT_PERFORMED');
    expect(performanceStatus('部分履行')).toBe('PARTIALLY_PERFORMED');
    expect(performanceStatus(' 部分未履行 ')).toBe('PARTIALLY_PERFORMED');
    expect(() => performanceStatus('全部履行')).toThrow(LegacyFormatError);
    expect(performancePart('暂无')).toBeNull();
    expect(performancePart(null)).toBeNull();
    expect(performancePart('600000元')).toBe('600000元');
  });

  it('writes provinces in full', () => {
    expect(provinceName('重庆')).toBe('重庆市');
    expect(provinceName('内蒙古')).toBe('内蒙古自治区');
    expect(provinceName('四川省')).toBe('四川省');
  });
});

describe('record translation', () => {
  it('takes a record off the list when it was revoked (1) or hidden at the end of its period (2)', () => {
    const revokedAt = Date.parse('2025-03-01T09:00:00+08:00');
    const hidden = translateDebtor(FieldReader.of(debtor({ revokeState: '2', revokeDate: revokedAt }), 'd'));
    expect(hidden).toMatchObject({ status: 'REMOVED', removedOn: '2025-03-01' });
    expect(hidden.provenance.asOf).toBe('2025-03-01T09:00:00+08:00');
    // Older records carry no state; a revocation date says enough.
    const stateless = translateDebtor(
      FieldReader.of(debtor({ revokeState: undefined, revokeDate: String(revokedAt) }), 'd'),
    );
    expect(stateless).toMatchObject({ status: 'REMOVED', removedOn: '2025-03-01' });
    const listed = translateDebtor(FieldReader.of(debtor({ revokeState: undefined }), 'd'));
    expect(listed).toMatchObject({ status: 'LISTED', removedOn: null, publishedOn: '2023-08-21' });
    expect(() => translateDebtor(FieldReader.of(debtor({ revokeState: '3' }), 'd'))).toThrow('revokeState');
  });

  it('reads a person record: no legal representative, nothing performed', () => {
    const record = translateDebtor(
      FieldReader.of(
        debtor({
          iname: '王建国',
          cardNum: PERSON,
          businessEntity: '',
          performance: '全部未履行',
          performedPart: '暂无',
          unperformPart: '',
        }),
        'd',
      ),
    );
    expect(record).toMatchObject({
      name: '王建国',
      legalRepresentative: null,
      performance: 'NOT_PERFORMED',
      performedPart: null,
      unperformedPart: null,
    });
  });

  it('reads an order: lifted date only once lifted, bound persons without a readable number', () => {
    const lifted = translateRestriction(
      FieldReader.of(
        order({ zt: '已解除', jcrq: '2024-04-22', glry: [{ xm: '李四', zjhm: '', sf: '主要负责人' }] }),
        'o',
      ),
    );
    expect(lifted).toMatchObject({
      caseNumber: '(2023)渝0112执1234号',
      issuedOn: '2023-06-05',
      status: 'LIFTED',
      liftedOn: '2024-04-22',
      role: 'SUBJECT',
      boundPersons: [{ name: '李四', role: 'PRINCIPAL', idNumber: null }],
    });
    expect(translateRestriction(FieldReader.of(order({ jcrq: '20240422' }), 'o')).liftedOn).toBeNull();
    expect(() =>
      translateRestriction(FieldReader.of(order({ glry: [{ xm: '李四', zjhm: '', sf: '股东' }] }), 'o')),
    ).toThrow("unknown role '股东'");
    expect(() => translateRestriction(FieldReader.of(order({ gxsj: '2023/06/05' }), 'o'))).toThrow('gxsj');
  });
});

describe('batch look-up against a scripted courts interface', () => {
  let server: RunningServer;
  let answer: unknown;
  let received: unknown;

  beforeAll(async () => {
    server = await listen((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        received = JSON.parse(text);
        sendJson(response, 200, answer);
      });
    }, 0);
  });

  afterAll(async () => {
    await server?.close();
  });

  const lookup = (keys: Parameters<ReturnType<typeof createZxgkSource>['lookup']>[0]) =>
    createZxgkSource({ baseUrl: server.url, timeoutMs: 1_000 }).lookup(keys);

  it('sends organization codes with a hyphen and ID numbers together, and maps the answer back', async () => {
    answer = {
      result: 'success',
      wppzzjgdmList: ['MA05LQ3B-6'],
      sxbzxr: [debtor({ cardNum: 'MA60YD7K7' }), debtor({ id: 2, cardNum: '11010519491231002X', iname: '某人' })],
      xzxfl: [order(), order()],
    };
    const found = await lookup([companyKey(COMPANY), personKey(PERSON), companyKey(OTHER_COMPANY)]);
    expect(received).toEqual({ zzjgdmList: ['MA60YD7K-7', 'MA05LQ3B-6'], sfzhmList: [PERSON] });
    const company = found.get(companyKey(COMPANY)) as any;
    expect(company.dishonestDebtorRecords).toHaveLength(1);
    // The order came twice; each subject sees it once, in its own role.
    expect(company.consumptionRestrictions.map((o: any) => o.role)).toEqual(['SUBJECT']);
    const person = found.get(personKey(PERSON)) as any;
    expect(person).toMatchObject({
      dishonestDebtorRecords: [],
      consumptionRestrictions: [{ role: 'ACTUAL_CONTROLLER' }],
    });
  });

  it('fails only the subjects a malformed record names', async () => {
    answer = {
      result: 'success',
      sxbzxr: [debtor({ performance: '已结案' }), debtor({ cardNum: 'MA05LQ3B-6', iname: '天津乾坤物流有限公司' })],
      xzxfl: [],
    };
    const found = await lookup([companyKey(COMPANY), companyKey(OTHER_COMPANY), personKey(PERSON)]);
    const failed = found.get(companyKey(COMPANY));
    expect(failed).toBeInstanceOf(SourceError);
    expect((failed as SourceError).extensions).toEqual({ code: 'SOURCE_BAD_RESPONSE', source: 'courts' });
    expect(found.get(companyKey(OTHER_COMPANY))).toMatchObject({
      dishonestDebtorRecords: [{ name: '天津乾坤物流有限公司' }],
    });
    expect(found.get(personKey(PERSON))).toEqual({ dishonestDebtorRecords: [], consumptionRestrictions: [] });
  });

  it('fails a bound person too when the order binding them is malformed', async () => {
    answer = { result: 'success', sxbzxr: [], xzxfl: [order({ xzsx: '' })] };
    const found = await lookup([companyKey(COMPANY), personKey(PERSON), companyKey(OTHER_COMPANY)]);
    expect(found.get(companyKey(COMPANY))).toBeInstanceOf(SourceError);
    expect(found.get(personKey(PERSON))).toBeInstanceOf(SourceError);
    expect(found.get(companyKey(OTHER_COMPANY))).toEqual({ dishonestDebtorRecords: [], consumptionRestrictions: [] });
  });

  it('refuses the whole answer when a record cannot be attributed, or the envelope is not the courts’ format', async () => {
    for (const body of [
      { result: 'success', sxbzxr: [debtor({ cardNum: '5101071982****4517' })], xzxfl: [] },
      { result: 'success', sxbzxr: [], xzxfl: [order({ xfrzjhm: null })] },
      { result: 'fail', message: '系统繁忙' },
      { result: 'success', sxbzxr: {}, xzxfl: [] },
    ]) {
      answer = body;
      await expect(lookup([companyKey(COMPANY), personKey(PERSON)])).rejects.toMatchObject({
        extensions: { code: 'SOURCE_BAD_RESPONSE', source: 'courts' },
      });
    }
  });

  it('ignores records on subjects nobody asked for', async () => {
    answer = { result: 'success', sxbzxr: [debtor({ cardNum: 'ZZZZZZZZ-Z' })], xzxfl: [] };
    const found = await lookup([personKey(PERSON)]);
    expect(found.get(personKey(PERSON))).toEqual({ dishonestDebtorRecords: [], consumptionRestrictions: [] });
  });
});
