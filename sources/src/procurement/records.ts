import { DEMO_SUBJECTS } from '../demo/subjects.js';
import { divisionFor } from '../generator/divisions.js';
import { addDays, addYears, rngFor, type Rng } from '../generator/prng.js';
import { SIMULATION_DATE, subjectFacts, type SubjectFacts } from '../generator/subject.js';
import { PROCUREMENT_DEMO_HISTORIES } from './demo.js';
import { type CcgpContract, type CcgpDishonestyRecord, type CcgpSupplier } from './format.js';

/** Share of registered enterprises that have won government procurement contracts. */
export const SUPPLIER_SHARE = 0.12;
/** Share of registered enterprises on the serious illegal and dishonest behaviour record list. */
export const DISHONESTY_SHARE = 0.003;

const FIRST_CONTRACT_DATE = '2019-01-01';

const MUNICIPALITIES = new Set(['北京市', '上海市', '天津市', '重庆市']);

/** The city, or the district of a municipality, where the subject is registered: 福州市, 重庆市梁平区. */
function locality(facts: SubjectFacts): string {
  const place = divisionFor(facts.divisionCode).place;
  if (MUNICIPALITIES.has(facts.province)) {
    const district = place.slice(2);
    return district === '' ? facts.province : `${facts.province}${district}区`;
  }
  return place === '' ? facts.province : `${place}市`;
}

/** The finance bureau that supervises procurement where the subject is registered. */
function financeBureau(facts: SubjectFacts): string {
  return `${locality(facts)}财政局`;
}

function address(facts: SubjectFacts, rng: Rng): string {
  const prefix = MUNICIPALITIES.has(facts.province) ? locality(facts) : `${facts.province}${locality(facts)}`;
  const district = rng.pick(['高新区', '经开区']);
  const road = rng.pick(['人民路', '建设大道', '解放路', '科技园路', '中山路']);
  return `${prefix}${district}${road}${rng.int(1, 999)}号`;
}

const PROJECTS: Record<string, readonly string[]> = {
  科技: ['政务服务平台升级改造项目', '数据中心运维服务项目'],
  信息技术: ['智慧校园信息化建设项目', '政务云资源运维服务项目', '网络安全等级保护测评服务项目'],
  建筑工程: ['老旧小区改造工程', '校舍维修加固工程', '农村道路提升改造工程'],
  机械制造: ['实训设备采购项目', '环卫机械设备采购项目'],
  餐饮管理: ['机关食堂餐饮服务项目', '学校食堂配餐服务项目'],
  医药: ['基层医疗机构药品及耗材采购项目'],
  环保科技: ['污水处理设施运维服务项目', '垃圾分类收运服务项目'],
  电子: ['监控设备采购项目', '会议系统设备采购项目'],
  文化传媒: ['宣传片制作服务项目', '文化活动策划服务项目'],
  物流: ['物资仓储配送服务项目'],
};
const COMMON_PROJECTS = ['办公设备采购项目', '物业管理服务项目', '办公家具采购项目'] as const;
const PURCHASERS = [
  '教育局',
  '卫生健康委员会',
  '公安局',
  '人民医院',
  '城市管理局',
  '机关事务管理局',
  '第一中学',
  '住房和城乡建设局',
] as const;

const CIRCUMSTANCES = [
  ['提供虚假材料谋取中标、成交', '《中华人民共和国政府采购法》第七十七条第一款第（一）项'],
  ['采取不正当手段诋毁、排挤其他供应商', '《中华人民共和国政府采购法》第七十七条第一款第（二）项'],
  ['与其他供应商恶意串通', '《中华人民共和国政府采购法》第七十七条第一款第（三）项'],
  ['中标后无正当理由拒不与采购人签订政府采购合同', '《中华人民共和国政府采购法实施条例》第七十二条第一款第（二）项'],
  ['将政府采购合同转包', '《中华人民共和国政府采购法实施条例》第七十二条第一款第（四）项'],
] as const;
const CHINESE_YEARS = ['一', '二', '三'] as const;

/** 2026-10-19 → 2026年10月19日, as the list writes its ban end dates. */
export function banEndText(date: string): string {
  return `${date.slice(0, 4)}年${date.slice(5, 7)}月${date.slice(8, 10)}日`;
}

/** A ban of `years` years from the record date: recorded 2023-10-20 for three years ends 2026-10-19. */
export function banEnd(recordedOn: string, years: number): string {
  return addDays(addYears(recordedOn, years), -1);
}

export function penaltyResult(permille: '五' | '八' | '十', years: 1 | 2 | 3): string {
  return `处以采购金额千分之${permille}的罚款，列入不良行为记录名单，在${CHINESE_YEARS[years - 1]}年内禁止参加政府采购活动`;
}

/** Amount in yuan for a supplier of this size: from tens of thousands to tens of millions. */
function contractAmount(facts: SubjectFacts, rng: Rng, signedOn: string): string {
  const base = Math.min(Math.max(facts.employees, 5), 2_000) * 2_000;
  const amount = Math.round((base * rng.int(150, 4_000)) / 100 / 10) * 10;
  const text = amount.toFixed(2);
  // Contracts migrated from the old procurement platform keep its thousands separators.
  return signedOn < '2021-01-01' ? Number(text).toLocaleString('en-US', { minimumFractionDigits: 2 }) : text;
}

function generatedContracts(facts: SubjectFacts, rng: Rng, from: string, to: string): CcgpContract[] {
  const contracts: CcgpContract[] = [];
  const projects = [...(PROJECTS[facts.industry] ?? []), ...COMMON_PROJECTS];
  for (let i = rng.int(1, 5); i > 0; i--) {
    const signedOn = rng.date(from, to);
    contracts.push({
      htbh: `HT${facts.divisionCode}${signedOn.slice(0, 4)}${rng.digits(6)}`,
      xmmc: `${locality(facts)}${rng.pick(projects)}`,
      cgr: `${locality(facts)}${rng.pick(PURCHASERS)}`,
      htje: contractAmount(facts, rng, signedOn),
      qdrq: signedOn.replaceAll('-', ''),
    });
  }
  return contracts;
}

function generatedRecord(facts: SubjectFacts, rng: Rng, from: string, to: string): CcgpDishonestyRecord {
  const recordedOn = rng.date(from, to);
  const years = rng.int(1, 3) as 1 | 2 | 3;
  const [circumstance, basis] = rng.pick(CIRCUMSTANCES);
  return {
    jlbh: `YZSX${facts.divisionCode}${recordedOn.slice(0, 4)}${rng.digits(5)}`,
    qymc: facts.name,
    qydz: address(facts, rng),
    jtqx: circumstance,
    cfyj: basis,
    cfjg: penaltyResult(rng.pick(['五', '八', '十'] as const), years),
    jlrq: recordedOn,
    zfdw: rng.chance(0.05) ? '中华人民共和国财政部' : financeBureau(facts),
    jzrq: banEndText(banEnd(recordedOn, years)),
  };
}

function updateTime(rng: Rng, latest: string): string {
  const day = [addDays(latest, rng.int(0, 5)), SIMULATION_DATE].sort()[0]!;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${day} ${two(rng.int(8, 18))}:${two(rng.int(0, 59))}:${two(rng.int(0, 59))}`;
}

/**
 * The procurement system's record of a code, or null when it has never seen the code: only
 * enterprises that won contracts or were put on the dishonesty list are known to it.
 */
export function ccgpSupplier(code: string): CcgpSupplier | null {
  const facts = subjectFacts(code);
  if (!facts) return null;
  if (PROCUREMENT_DEMO_HISTORIES.has(code)) {
    const history = PROCUREMENT_DEMO_HISTORIES.get(code);
    return history ? { gysmc: facts.name, tyshxydm: code, ...history } : null;
  }
  if (facts.kind !== 'ENTERPRISE') return null;
  const rng = rngFor(code, 'procurement');
  const from = facts.establishedOn > FIRST_CONTRACT_DATE ? facts.establishedOn : FIRST_CONTRACT_DATE;
  const closedOn = facts.statusChangedOn ?? SIMULATION_DATE;
  const to = closedOn < SIMULATION_DATE ? closedOn : SIMULATION_DATE;
  if (from > to) return null;
  const htxx = rng.chance(SUPPLIER_SHARE) ? generatedContracts(facts, rng, from, to) : [];
  // Demo subjects show only the dishonesty records their scenario scripts.
  const dishonest = rng.chance(DISHONESTY_SHARE) && !DEMO_SUBJECTS.has(code);
  const yzcjl = dishonest ? [generatedRecord(facts, rng, from, to)] : [];
  if (htxx.length === 0 && yzcjl.length === 0) return null;
  const latest = [
    ...htxx.map((c) => `${c.qdrq.slice(0, 4)}-${c.qdrq.slice(4, 6)}-${c.qdrq.slice(6, 8)}`),
    ...yzcjl.map((r) => r.jlrq),
  ]
    .sort()
    .at(-1)!;
  return { gysmc: facts.name, tyshxydm: code, gxsj: updateTime(rng, latest), yzcjl, htxx };
}
