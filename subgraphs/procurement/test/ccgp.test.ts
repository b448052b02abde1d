import { describe, expect, it } from 'vitest';
import { ConfigError, SourceError } from '@credit-gateway/common';
import { banInForce, chinaToday, isBanned } from '../src/ban.js';
import { GATEWAY_KEYS } from '../../../common/test/support/gateway-identity.js';
import { loadConfig } from '../src/config.js';
import { contractAmount, readSupplierResponse, readSuppliersResponse } from '../src/source/ccgp.js';

const CODE = '91350100MA2XH3FN5G';

function record(overrides: Record<string, unknown> = {}) {
  return {
    jlbh: 'YZSX1',
    qymc: '福州闽海信息技术有限公司',
    qydz: '福建省福州市鼓楼区软件大道89号',
    jtqx: '提供虚假材料谋取中标、成交',
    cfyj: '《中华人民共和国政府采购法》第七十七条第一款第（一）项',
    cfjg: '处以采购金额千分之五的罚款，列入不良行为记录名单，在三年内禁止参加政府采购活动',
    jlrq: '2023-10-20',
    zfdw: '福州市财政局',
    jzrq: '2026年10月19日',
    ...overrides,
  };
}

function contract(overrides: Record<string, unknown> = {}) {
  return { htbh: 'HT1', xmmc: '项目', cgr: '福州市教育局', htje: '1260000.00', qdrq: '20210615', ...overrides };
}

function response(data: Record<string, unknown> = {}) {
  return {
    success: true,
    data: {
      gysmc: '福州闽海信息技术有限公司',
      tyshxydm: CODE,
      gxsj: '2026-10-29 10:15:32',
      yzcjl: [],
      htxx: [],
      ...data,
    },
  };
}

/** The code and source of the SourceError a read throws, or what else it did. */
function failureOf(read: () => unknown) {
  try {
    return { returned: read() };
  } catch (error) {
    if (error instanceof SourceError) return { code: error.code, source: error.sourceName };
    throw error;
  }
}

describe('contractAmount', () => {
  it.each([
    ['1260000.00', 1_260_000],
    ['4,739,800.00', 4_739_800],
    [' 486500 元', 486_500],
    ['126万元', 1_260_000],
    ['128.55万', 1_285_500],
    ['￥1,000.50', 1_000.5],
    ['0.125', 0.13],
  ])('reads %j as %d yuan', (text, yuan) => {
    expect(contractAmount(text)).toBe(yuan);
  });

  it.each(['', '-100.00', 'TBD', '1.2.3', '100美元', '万元'])('refuses %j', (text) => {
    expect(contractAmount(text)).toBeNull();
  });
});

describe('readSupplierResponse', () => {
  it('answers null when the service knows nothing of the code', () => {
    expect(readSupplierResponse(CODE, { success: true, data: null })).toBeNull();
  });

  it('translates dates in every style the service writes, amounts with separators, and sorts newest first', () => {
    const body = response({
      yzcjl: [
        record({ jlbh: 'YZSX1', jlrq: '2019-03-02', jzrq: '2020/03/01' }),
        record({ jlbh: 'YZSX2', jlrq: '2023年10月20日', jzrq: '2026年10月19日' }),
      ],
      htxx: [
        contract({ htbh: 'HT1', qdrq: '20190412', htje: '4,739,800.00' }),
        contract({ htbh: 'HT2', qdrq: '2026-10-28', htje: '39.8万元' }),
      ],
    });
    const asOf = '2026-10-29T10:15:32+08:00';
    const provenance = (recordId: string) => ({
      source: 'PROCUREMENT',
      system: '政府采购严重违法失信行为记录 (Government Procurement Credit Records)',
      recordId,
      asOf,
    });
    const base = {
      name: '福州闽海信息技术有限公司',
      address: '福建省福州市鼓楼区软件大道89号',
      circumstance: '提供虚假材料谋取中标、成交',
      penaltyBasis: '《中华人民共和国政府采购法》第七十七条第一款第（一）项',
      penaltyResult: '处以采购金额千分之五的罚款，列入不良行为记录名单，在三年内禁止参加政府采购活动',
      authority: '福州市财政局',
    };
    expect(readSupplierResponse(CODE, body)).toEqual({
      seriousDishonestyRecords: [
        { ...base, recordedOn: '2023-10-20', banEndsOn: '2026-10-19', provenance: provenance('YZSX2') },
        { ...base, recordedOn: '2019-03-02', banEndsOn: '2020-03-01', provenance: provenance('YZSX1') },
      ],
      contracts: [
        {
          contractNumber: 'HT2',
          projectName: '项目',
          purchaser: '福州市教育局',
          amount: 398_000,
          signedOn: '2026-10-28',
          provenance: provenance('HT2'),
        },
        {
          contractNumber: 'HT1',
          projectName: '项目',
          purchaser: '福州市教育局',
          amount: 4_739_800,
          signedOn: '2019-04-12',
          provenance: provenance('HT1'),
        },
      ],
    });
  });

  it('reads omitted lists as empty', () => {
    const data = { gysmc: '福州闽海信息技术有限公司', tyshxydm: CODE, gxsj: '2026-10-29 10:15:32' };
    expect(readSupplierResponse(CODE, { success: true, data })).toEqual({
      seriousDishonestyRecords: [],
      contracts: [],
    });
  });

  it('reports the service failing inside a 200 as unavailable', () => {
    const body = { success: false, errorCode: 'SYS_BUSY', errorMsg: '系统繁忙，请稍后再试', data: null };
    expect(failureOf(() => readSupplierResponse(CODE, body))).toEqual({
      code: 'SOURCE_UNAVAILABLE',
      source: 'procurement',
    });
  });

  it.each([
    ['a page instead of JSON data', '<html>系统维护中</html>'],
    ['an envelope without success', { data: null }],
    ['an envelope without data', { success: true }],
    ['a list', [response().data]],
    ['another subject', response({ tyshxydm: '91500155MA5UQ01CXD' })],
    ['an unreadable update time', response({ gxsj: '2026-10-29' })],
    ['a signing date sent as a number', response({ htxx: [contract({ qdrq: 20210615 })] })],
    ['an amount that is not one', response({ htxx: [contract({ htje: '面议' })] })],
    [
      'a ban that ends before it was recorded',
      response({ yzcjl: [record({ jlrq: '2023-10-20', jzrq: '2023-10-19' })] }),
    ],
    ['a record without its ban end date', response({ yzcjl: [record({ jzrq: null })] })],
    ['a record without an id', response({ yzcjl: [record({ jlbh: '' })] })],
  ])('refuses %s as a bad response', (_, body) => {
    expect(failureOf(() => readSupplierResponse(CODE, body))).toEqual({
      code: 'SOURCE_BAD_RESPONSE',
      source: 'procurement',
    });
  });
});

describe('readSuppliersResponse', () => {
  const OTHER = '91500155MA5UQ01CXD';
  const supplier = (code: string, data: Record<string, unknown> = {}) => ({ ...response(data).data, tyshxydm: code });

  /** Each code's record, or the code of the SourceError it failed with. */
  function outcomes(body: unknown) {
    return Object.fromEntries(
      [...readSuppliersResponse(body)].map(([code, found]) => [
        code,
        found instanceof SourceError ? found.code : found,
      ]),
    );
  }

  it('reads a record per code the service answered for, as the single look-up reads it', () => {
    const data = [supplier(CODE, { htxx: [contract()] }), supplier(OTHER)];
    expect(outcomes({ success: true, data })).toEqual({
      [CODE]: readSupplierResponse(CODE, { success: true, data: data[0] }),
      [OTHER]: { seriousDishonestyRecords: [], contracts: [] },
    });
    expect(outcomes({ success: true, data: [] })).toEqual({});
  });

  it('fails only the code whose record cannot be translated', () => {
    const data = [supplier(CODE, { htxx: [contract({ htje: '面议' })] }), supplier(OTHER)];
    expect(outcomes({ success: true, data })).toEqual({
      [CODE]: 'SOURCE_BAD_RESPONSE',
      [OTHER]: { seriousDishonestyRecords: [], contracts: [] },
    });
  });

  it('reports the service failing inside a 200 as unavailable', () => {
    const body = { success: false, errorCode: 'SYS_BUSY', errorMsg: '系统繁忙，请稍后再试', data: null };
    expect(failureOf(() => readSuppliersResponse(body))).toEqual({ code: 'SOURCE_UNAVAILABLE', source: 'procurement' });
  });

  it.each([
    ['a page instead of JSON data', '<html>系统维护中</html>'],
    ['an envelope without success', { data: [] }],
    ['an envelope without data', { success: true }],
    ['null data', { success: true, data: null }],
    ['one record instead of a list', response()],
    ['an item that is not a record', { success: true, data: [supplier(OTHER), 'x'] }],
    ['a record that names no code', { success: true, data: [supplier(OTHER), supplier('')] }],
  ])('refuses %s as a bad response for the whole batch', (_, body) => {
    expect(failureOf(() => readSuppliersResponse(body))).toEqual({
      code: 'SOURCE_BAD_RESPONSE',
      source: 'procurement',
    });
  });
});

describe('bans', () => {
  it('takes today from the calendar in China Standard Time', () => {
    expect(chinaToday(new Date('2026-10-19T15:59:59Z'))).toBe('2026-10-19');
    expect(chinaToday(new Date('2026-10-19T16:00:00Z'))).toBe('2026-10-20');
  });

  it('keeps a ban in force up to and including its end date', () => {
    expect(banInForce({ banEndsOn: '2026-10-19' }, '2026-10-19')).toBe(true);
    expect(banInForce({ banEndsOn: '2026-10-19' }, '2026-10-20')).toBe(false);
    expect(isBanned([], '2026-11-01')).toBe(false);
    expect(isBanned([{ banEndsOn: '2021-01-01' }, { banEndsOn: '2027-06-30' }], '2026-11-01')).toBe(true);
    expect(isBanned([{ banEndsOn: '2021-01-01' }, { banEndsOn: '2026-10-19' }], '2026-11-01')).toBe(false);
  });
});

describe('loadConfig', () => {
  it('defaults to the local layout', () => {
    const config = loadConfig({ GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_PUBLIC_KEY });
    expect(config).toMatchObject({
      port: 4005,
      sourceUrl: 'http://127.0.0.1:4105',
      sourceTimeoutMs: 2_000,
      sourceLookup: 'batch',
      sourceBatchSize: 500,
      sourceConcurrency: 16,
      internalAuth: { clockToleranceSeconds: 5 },
    });
    expect(config.internalAuth.publicKey.export({ format: 'jwk' })).toEqual(
      JSON.parse(GATEWAY_KEYS.GATEWAY_PUBLIC_KEY),
    );
  });

  it('reports every problem at once', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({
        SOURCE_CONCURRENCY: '0',
        SOURCE_TIMEOUT_MS: 'soon',
        SOURCE_LOOKUP: 'bulk',
        SOURCE_BATCH_SIZE: '1001',
      });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toEqual([
      "SOURCE_TIMEOUT_MS must be a whole number from 1 to 120000, got 'soon'",
      "GATEWAY_PUBLIC_KEY (or GATEWAY_PUBLIC_KEY_FILE) is required: the gateway's Ed25519 public key",
      "SOURCE_LOOKUP must be one of batch, single, got 'bulk'",
      "SOURCE_BATCH_SIZE must be a whole number from 1 to 1000, got '1001'",
      "SOURCE_CONCURRENCY must be a whole number from 1 to 256, got '0'",
    ]);
  });

  it('refuses a private key given as GATEWAY_PUBLIC_KEY, without echoing it', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ GATEWAY_PUBLIC_KEY: GATEWAY_KEYS.GATEWAY_SIGNING_KEY });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toEqual([
      'GATEWAY_PUBLIC_KEY is not a usable Ed25519 public key: a public key was expected, got a private one',
    ]);
  });
});
