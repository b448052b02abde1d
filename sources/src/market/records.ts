import { creditCodeParts } from '@credit-gateway/common';
import { divisionFor } from '../generator/divisions.js';
import { addDays, addYears, rngFor, type Rng } from '../generator/prng.js';
import { SIMULATION_DATE, subjectFacts, type SubjectFacts } from '../generator/subject.js';
import { MARKET_DEMO_HISTORIES } from './demo.js';
import {
  epochMillis,
  type GsxtAbnormal,
  type GsxtEntity,
  type GsxtHonour,
  type GsxtLicence,
  type GsxtPenalty,
  type GsxtSeriousIllegal,
  type GsxtSpotCheck,
  type MarketDemoHistory,
} from './format.js';

const STATE_TEXT: Record<SubjectFacts['status'], string> = {
  存续: '存续（在营、开业、在册）',
  在业: '在业',
  吊销: '吊销，未注销',
  注销: '注销',
};

const SCOPES: Record<string, string> = {
  科技: '技术开发、技术咨询、技术服务；软件开发；计算机系统集成。',
  信息技术: '信息系统集成服务；软件开发；数据处理和存储支持服务；信息技术咨询服务。',
  建筑工程: '房屋建筑工程施工；市政公用工程施工；建筑劳务分包；建筑材料销售。',
  机械制造: '通用设备制造；机械零部件加工；金属切削加工服务；机械设备销售。',
  餐饮管理: '餐饮服务；餐饮管理；食品经营（销售预包装食品）。',
};

function entityType(facts: SubjectFacts): string {
  switch (facts.kind) {
    case 'INDIVIDUAL_BUSINESS':
      return '个体工商户';
    case 'FARMER_COOPERATIVE':
      return '农民专业合作社';
    case 'SOCIAL_ORGANIZATION':
      return '社会团体';
    case 'PUBLIC_INSTITUTION':
      return '事业单位';
    default:
      return facts.name.endsWith('股份有限公司')
        ? '股份有限公司(非上市、自然人投资或控股)'
        : '有限责任公司(自然人投资或控股)';
  }
}

function registrationOrgan(facts: SubjectFacts): string {
  const place = divisionFor(facts.divisionCode).place || facts.province;
  if (creditCodeParts(facts.code).registrationAuthority === 'CIVIL_AFFAIRS') return `${place}民政局`;
  return `${place}市场监督管理局`;
}

function generatedLists(facts: SubjectFacts, rng: Rng, organ: string): MarketDemoHistory {
  const since = facts.establishedOn > '2019-01-01' ? facts.establishedOn : '2019-01-01';
  const licenceInfo: GsxtLicence[] = [];
  const punishInfo: GsxtPenalty[] = [];
  const abnormalInfo: GsxtAbnormal[] = [];
  const illInfo: GsxtSeriousIllegal[] = [];
  const spotCheckInfo: GsxtSpotCheck[] = [];
  const honorInfo: GsxtHonour[] = [];
  if (facts.kind === 'SOCIAL_ORGANIZATION' || facts.kind === 'PUBLIC_INSTITUTION') return {};

  if (rng.chance(0.4)) {
    for (let i = rng.int(1, 3); i > 0; i--) {
      const from = rng.date(since, SIMULATION_DATE);
      const name = rng.pick([
        '食品经营许可证',
        '道路运输经营许可证',
        '排污许可证',
        '建筑业企业资质证书',
        '医疗器械经营许可证',
      ]);
      licenceInfo.push({
        licId: `LIC${rng.digits(12)}`,
        licNo: `${name.slice(0, 2)}${facts.divisionCode}${rng.digits(8)}`,
        licName_CN: name,
        licContent: `准予${name.replace(/许可证|证书/, '')}相关经营活动`,
        valFrom: from,
        valTo: rng.chance(0.9) ? addYears(from, 5) : null,
        licAnth: organ,
      });
    }
  }
  if (rng.chance(0.18)) {
    for (let i = rng.int(1, 3); i > 0; i--) {
      const decided = rng.date(since, SIMULATION_DATE);
      const [type, content] = rng.pick([
        ['虚假宣传', '罚款人民币20000元'],
        ['未按规定公示年度报告', '警告'],
        ['销售不合格产品', '没收违法所得，罚款人民币50000元'],
        ['无照经营', '责令改正，罚款人民币10000元'],
        ['价格违法行为', '罚款人民币8000元'],
      ] as const);
      punishInfo.push({
        caseId: `PEN${rng.digits(12)}`,
        penDecNo: `${organ.slice(0, 2)}市监处罚〔${decided.slice(0, 4)}〕${rng.int(1, 999)}号`,
        illegActType: type,
        penContent: content,
        penAuth_CN: organ,
        penDecIssDate: decided,
        publicDate: addDays(decided, rng.int(1, 7)),
      });
    }
  }
  if (rng.chance(0.08)) {
    const listed = rng.date(since, SIMULATION_DATE);
    const removed = rng.chance(0.6) ? addDays(listed, rng.int(30, 400)) : null;
    const removedInPast = removed !== null && removed < SIMULATION_DATE;
    abnormalInfo.push({
      busExcList: `ABN${rng.digits(12)}`,
      speCause_CN: rng.pick([
        '未按照《企业信息公示暂行条例》第八条规定的期限公示年度报告的',
        '通过登记的住所或者经营场所无法联系的',
      ]),
      abntime: epochMillis(listed),
      decOrg_CN: organ,
      remExcpRes_CN: removedInPast ? '依照《经营异常名录管理办法》第十一条规定，补报未报年份的年度报告并公示' : null,
      remDate: removedInPast ? epochMillis(removed) : null,
      reDecOrg_CN: removedInPast ? organ : null,
    });
  }
  if (facts.status === '吊销' ? rng.chance(0.15) : rng.chance(0.004)) {
    const listed = rng.date(since, SIMULATION_DATE);
    illInfo.push({
      illId: `ILL${rng.digits(12)}`,
      serILLRea_CN: '被列入经营异常名录届满3年仍未履行相关义务的',
      abntime: epochMillis(listed),
      decOrg_CN: organ,
      remExcpRes_CN: null,
      remDate: null,
    });
  }
  if (rng.chance(0.3)) {
    for (let i = rng.int(1, 2); i > 0; i--) {
      spotCheckInfo.push({
        insId: `INS${rng.digits(12)}`,
        insType: rng.pick(['1', '2'] as const),
        insDate: rng.date(since, SIMULATION_DATE),
        insRes_CN: rng.weighted([
          ['未发现问题', 85],
          ['未按规定公示应当公示的信息', 8],
          ['通过登记的住所（经营场所）无法联系', 7],
        ] as const),
        insAuth: organ,
      });
    }
  }
  if (facts.kind === 'ENTERPRISE' && rng.chance(0.05)) {
    const year = rng.int(2019, 2025);
    honorInfo.push({
      honorId: `HON${rng.digits(12)}`,
      honorName: '守合同重信用企业',
      honorYear: String(year),
      honorOrg: `${facts.province}市场监督管理局`,
    });
  }
  return { licenceInfo, punishInfo, abnormalInfo, illInfo, spotCheckInfo, honorInfo };
}

/** The GSXT record for a code, or null when GSXT and the code registry have never seen it. */
export function gsxtEntity(code: string): GsxtEntity | null {
  const facts = subjectFacts(code);
  if (!facts) return null;
  const rng = rngFor(code, 'market');
  const organ = registrationOrgan(facts);
  const lists: Required<MarketDemoHistory> = {
    licenceInfo: [],
    punishInfo: [],
    abnormalInfo: [],
    illInfo: [],
    spotCheckInfo: [],
    honorInfo: [],
    ...generatedLists(facts, rng, organ),
    ...MARKET_DEMO_HISTORIES.get(code),
  };
  const longTerm = facts.kind !== 'ENTERPRISE' || rng.chance(0.5);
  const updated = rng.date(facts.establishedOn > '2025-01-01' ? facts.establishedOn : '2025-01-01', SIMULATION_DATE);
  return {
    pripid: `${facts.divisionCode}${rng.digits(14)}`,
    entName: facts.name,
    uniscId: code,
    regNo: facts.legacyRegistrationNumber,
    lerep: facts.legalRepresentative.name,
    lerepCerType: '中华人民共和国居民身份证',
    lerepCerNo: facts.legalRepresentative.idNumber,
    entType_CN: entityType(facts),
    regState_CN: STATE_TEXT[facts.status],
    regCap: facts.kind === 'INDIVIDUAL_BUSINESS' ? null : facts.registeredCapitalWan.toFixed(6),
    regCapCur_CN: facts.kind === 'INDIVIDUAL_BUSINESS' ? null : '人民币',
    estDate: facts.establishedOn,
    opFrom: facts.establishedOn,
    opTo: longTerm ? null : addYears(facts.establishedOn, 30),
    dom: `${facts.province}${rng.pick(['高新区', '经开区', '城区', '新区'])}${rng.pick(['人民路', '建设大道', '解放路', '科技园路', '中山路'])}${rng.int(1, 999)}号`,
    opScope:
      SCOPES[facts.industry] ?? `${facts.industry}相关业务（依法须经批准的项目，经相关部门批准后方可开展经营活动）。`,
    regOrg_CN: organ,
    revDate: facts.status === '吊销' ? facts.statusChangedOn : null,
    canDate: facts.status === '注销' ? facts.statusChangedOn : null,
    updateTime: `${updated} ${String(rng.int(8, 18)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}`,
    ...lists,
  };
}
