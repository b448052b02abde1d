/**
 * Department data of the demo subjects as the gateway sends it to the credit subgraph through
 * @requires: what the department subgraphs answer for them (see sources/src/<department>/demo.ts).
 */
import type {
  CourtsInputs,
  EnterpriseInputs,
  MarketInputs,
  ProcurementInputs,
  ProvenanceInput,
  RegistrationInput,
  SocialSecurityInputs,
  TaxInputs,
} from '../../src/models.js';

/** The demo world's present: after the procurement ban of 2026-10-19 ended. */
export const DEMO_NOW = new Date('2026-11-02T10:00:00+08:00');

export const CODES = {
  cleanSme: '91500155MA5UQ01CXD',
  partialDebtor: '91500112MA60YD7K76',
  procurementBanEnded: '91350100MA2XH3FN5G',
  abnormalRemoved: '91330106MA27XW9P6R',
  wageArrears: '91440305MA5G8WL211',
  repIsDebtor: '91510107MA6CJ4R13B',
  majorTaxViolator: '91441900MA4UW2DQ7T',
  seriousIllegal: '91120116MA05LQ3B65',
  farmerCoop: '93500155MA5YB7A93C',
} as const;

export const PEOPLE = {
  cleanSmeRepresentative: { name: '李清泉', idNumber: '500155197904120357' },
  partialDebtorRepresentative: { name: '周德明', idNumber: '500112197508226133' },
  debtorRepresentative: { name: '王建国', idNumber: '510107198203154517' },
} as const;

const AS_OF = '2026-10-28T09:00:00+08:00';

export function market(recordId: string): ProvenanceInput {
  return { source: 'MARKET', recordId, asOf: AS_OF };
}
export function tax(recordId: string): ProvenanceInput {
  return { source: 'TAX', recordId, asOf: AS_OF };
}
export function courts(recordId: string): ProvenanceInput {
  return { source: 'COURTS', recordId, asOf: AS_OF };
}
export function socialSecurity(recordId: string): ProvenanceInput {
  return { source: 'SOCIAL_SECURITY', recordId, asOf: AS_OF };
}
export function procurement(recordId: string): ProvenanceInput {
  return { source: 'PROCUREMENT', recordId, asOf: AS_OF };
}

function registration(
  name: string,
  establishedOn: string,
  representative: { name: string; idNumber: string },
  overrides: Partial<RegistrationInput> = {},
): RegistrationInput {
  return {
    name,
    kind: 'ENTERPRISE',
    status: 'EXISTING',
    establishedOn,
    legalRepresentative: {
      name: representative.name,
      person: { idNumber: representative.idNumber, courts: { dishonestDebtorRecords: [] } },
    },
    ...overrides,
  };
}

function emptyMarket(reg: RegistrationInput): MarketInputs {
  return {
    registration: reg,
    penalties: [],
    abnormalOperations: [],
    seriousIllegalListings: [],
    spotChecks: [],
    honours: [],
  };
}

const NO_TAX: TaxInputs = { publishedGrades: [], majorViolations: [], arrearsNotices: [] };
const NO_COURTS: CourtsInputs = { dishonestDebtorRecords: [], consumptionRestrictions: [] };
const NO_SOCIAL_SECURITY: SocialSecurityInputs = { wageArrearsListings: [] };
const NO_PROCUREMENT: ProcurementInputs = { seriousDishonestyRecords: [] };

function enterprise(
  code: string,
  sections: Partial<Omit<EnterpriseInputs, 'code'>> & { marketRegulation: MarketInputs },
) {
  return {
    code,
    tax: NO_TAX,
    courts: NO_COURTS,
    socialSecurity: NO_SOCIAL_SECURITY,
    procurement: NO_PROCUREMENT,
    ...sections,
  } satisfies EnterpriseInputs;
}

/** A-grade taxpayer three years running and 守合同重信用: on the red list. */
export function cleanSme(): EnterpriseInputs {
  return enterprise(CODES.cleanSme, {
    marketRegulation: {
      ...emptyMarket(registration('重庆清泉精密机械有限公司', '2016-05-18', PEOPLE.cleanSmeRepresentative)),
      spotChecks: [{ result: '未发现问题', inspectedOn: '2025-06-17' }],
      honours: [
        { name: '守合同重信用企业', year: 2024, provenance: market('HON500155000301') },
        { name: '守合同重信用企业', year: 2025, provenance: market('HON500155000302') },
      ],
    },
    tax: {
      ...NO_TAX,
      publishedGrades: [
        { year: 2025, grade: 'A', provenance: tax('91500155MA5UQ01CXD-2025') },
        { year: 2024, grade: 'A', provenance: tax('91500155MA5UQ01CXD-2024') },
        { year: 2023, grade: 'A', provenance: tax('91500155MA5UQ01CXD-2023') },
      ],
    },
  });
}

/** Dishonest judgment debtor, partly performed, under a consumption restriction and a procurement ban. */
export function partialDebtor(): EnterpriseInputs {
  return enterprise(CODES.partialDebtor, {
    marketRegulation: {
      ...emptyMarket(registration('重庆渝东建筑工程有限公司', '2018-09-03', PEOPLE.partialDebtorRepresentative)),
      penalties: [
        {
          decisionNumber: '渝北市监处罚〔2024〕127号',
          violationType: '未按规定公示年度报告',
          content: '警告',
          decidedOn: '2024-03-11',
          publishedOn: '2024-03-15',
          provenance: market('PEN500112000601'),
        },
      ],
    },
    courts: {
      dishonestDebtorRecords: [
        {
          caseNumber: '(2023)渝0112执1234号',
          status: 'LISTED',
          publishedOn: '2023-08-21',
          removedOn: null,
          provenance: courts('1503212086'),
        },
      ],
      consumptionRestrictions: [
        {
          caseNumber: '(2023)渝0112执1234号',
          status: 'ACTIVE',
          issuedOn: '2023-06-05',
          liftedOn: null,
          provenance: courts('5001122023000001234'),
        },
      ],
    },
    procurement: {
      seriousDishonestyRecords: [
        {
          recordedOn: '2025-07-01',
          banEndsOn: '2027-06-30',
          active: true,
          provenance: procurement('YZSX500112202500042'),
        },
      ],
    },
  });
}

/** Three-year procurement ban that ended on 2026-10-19. */
export function procurementBanEnded(): EnterpriseInputs {
  return enterprise(CODES.procurementBanEnded, {
    marketRegulation: emptyMarket(
      registration('福州闽海信息技术有限公司', '2017-02-14', { name: '林志远', idNumber: '350102198011233219' }),
    ),
    procurement: {
      seriousDishonestyRecords: [
        {
          recordedOn: '2023-10-20',
          banEndsOn: '2026-10-19',
          active: false,
          provenance: procurement('YZSX350100202300017'),
        },
      ],
    },
  });
}

/** Listed as abnormal for a missing annual report, later removed. */
export function abnormalRemoved(): EnterpriseInputs {
  return enterprise(CODES.abnormalRemoved, {
    marketRegulation: {
      ...emptyMarket(
        registration('杭州西子贸易有限公司', '2019-11-22', { name: '沈嘉怡', idNumber: '33010619900218452X' }),
      ),
      abnormalOperations: [
        {
          reason: '未按照《企业信息公示暂行条例》第八条规定的期限公示年度报告的',
          listedOn: '2024-07-15',
          removedOn: '2025-01-20',
          provenance: market('ABN330106000401'),
        },
      ],
    },
  });
}

/** On the wage-arrears joint-punishment list since 2025-09-10. */
export function wageArrears(): EnterpriseInputs {
  return enterprise(CODES.wageArrears, {
    marketRegulation: emptyMarket(
      registration('深圳南山鑫达建材有限公司', '2015-12-09', { name: '黄勇', idNumber: '440305197612030414' }),
    ),
    socialSecurity: {
      wageArrearsListings: [
        {
          listedOn: '2025-09-10',
          removedOn: null,
          amountOwed: 1_285_000,
          provenance: socialSecurity('TQGZ2025440305000117'),
        },
      ],
    },
  });
}

/** A clean company whose legal representative is personally a dishonest debtor. */
export function repIsDebtor(): EnterpriseInputs {
  const reg = registration('成都锦程餐饮管理有限公司', '2020-06-30', PEOPLE.debtorRepresentative);
  reg.legalRepresentative!.person!.courts = {
    dishonestDebtorRecords: [
      {
        caseNumber: '(2024)川0104执2817号',
        status: 'LISTED',
        publishedOn: '2024-05-06',
        removedOn: null,
        provenance: courts('1607845213'),
      },
    ],
  };
  return enterprise(CODES.repIsDebtor, { marketRegulation: emptyMarket(reg) });
}

/** Major tax violation dishonest subject, published 2025-03-18 for three years, with an arrears notice. */
export function majorTaxViolator(): EnterpriseInputs {
  return enterprise(CODES.majorTaxViolator, {
    marketRegulation: emptyMarket(
      registration('东莞宏达电子有限公司', '2016-01-12', { name: '刘强', idNumber: '441900197105280015' }),
    ),
    tax: {
      publishedGrades: [],
      majorViolations: [
        {
          caseNature: '虚开增值税专用发票',
          publishedOn: '2025-03-18',
          publicityEndsOn: '2028-03-17',
          provenance: tax('东税稽检〔2024〕118号'),
        },
      ],
      arrearsNotices: [{ amount: 1_126_100, announcedOn: '2025-07-10', provenance: tax('QS4419002025000318') }],
    },
  });
}

/** Licence revoked, on the serious illegal list; its court debt was performed and the order lifted. */
export function seriousIllegal(): EnterpriseInputs {
  return enterprise(CODES.seriousIllegal, {
    marketRegulation: {
      ...emptyMarket(
        registration(
          '天津乾坤物流有限公司',
          '2016-10-10',
          { name: '孙磊', idNumber: '120116198104060033' },
          { status: 'REVOKED' },
        ),
      ),
      abnormalOperations: [
        {
          reason: '通过登记的住所或者经营场所无法联系的',
          listedOn: '2019-05-08',
          removedOn: null,
          provenance: market('ABN120116000501'),
        },
      ],
      seriousIllegalListings: [
        {
          reason: '被列入经营异常名录届满3年仍未履行相关义务的',
          listedOn: '2022-05-09',
          removedOn: null,
          provenance: market('ILL120116000502'),
        },
      ],
      penalties: [
        {
          decisionNumber: '津滨市监处罚〔2022〕318号',
          violationType: '通过登记的住所无法联系且逾期未改正',
          content: '吊销营业执照',
          decidedOn: '2022-08-15',
          publishedOn: '2022-08-19',
          provenance: market('PEN120116000503'),
        },
      ],
    },
    courts: {
      dishonestDebtorRecords: [
        {
          caseNumber: '(2021)津0116执5521号',
          status: 'REMOVED',
          publishedOn: '2021-09-14',
          removedOn: '2024-04-22',
          provenance: courts('1398820417'),
        },
      ],
      consumptionRestrictions: [
        {
          caseNumber: '(2021)津0116执5521号',
          status: 'LIFTED',
          issuedOn: '2021-07-02',
          liftedOn: '2024-04-22',
          provenance: courts('1201162021000005521'),
        },
      ],
    },
  });
}

/** A young cooperative with no records at all. */
export function farmerCoop(): EnterpriseInputs {
  return enterprise(CODES.farmerCoop, {
    marketRegulation: emptyMarket({
      ...registration('重庆梁平益民蔬菜种植专业合作社', '2019-03-21', {
        name: '蒋春梅',
        idNumber: '500155198312060228',
      }),
      kind: 'FARMER_COOPERATIVE',
    }),
  });
}

/** The representation the query planner sends for an enterprise. */
export function representation(inputs: EnterpriseInputs): Record<string, unknown> {
  return { __typename: 'Enterprise', ...inputs };
}
