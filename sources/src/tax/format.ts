/** The tax credit management system's batch interface format, which the tax stand-in speaks. */
/**
 * A taxpayer as the tax credit management system's batch interface returns it: pinyin-initial
 * keys, grades and scores as strings, amounts as yuan strings, periods as `YYYYMM`, and its own
 * date formats per list.
 */
export interface TaxpayerRow {
  /** 纳税人识别号: the USCC, or the old 15-character number for pre-2015 registrations. */
  nsrsbh: string;
  /** 社会信用代码 as recorded at the change to the credit code; '' where an old record was never updated. */
  shxydm: string;
  /** 纳税人名称 */
  nsrmc: string;
  /** 主管税务机关 */
  zgswjg: string;
  /** 更新时间, `YYYY-MM-DD HH:mm:ss.0` in China Standard Time (an Oracle timestamp as text). */
  gxsj: string;
  /** 纳税信用评价 */
  xypj: TaxGradeItem[];
  /** 重大税收违法失信案件 */
  zdsswf: TaxViolationItem[];
  /** 欠税公告 */
  qsgg: TaxArrearsItem[];
  /** 缴纳情况 (not public) */
  jnqk: TaxPaymentItem[];
}

export type TaxGradeLetter = 'A' | 'B' | 'M' | 'C' | 'D';

export interface TaxGradeItem {
  /** 评定年度, `YYYY` */
  pdnd: string;
  /** 信用级别 */
  xydj: TaxGradeLetter;
  /** 得分; '' where the grade was assigned directly. */
  pf: string;
}

export interface TaxViolationItem {
  /** 案件编号 */
  ajbh: string;
  /** 案件性质 */
  ajxz: string;
  /** 主要违法事实 */
  zywfss: string;
  /** 相关法律依据及税务处理处罚情况 */
  flyjjcl: string;
  /** 负有直接责任的财务负责人姓名; '' when none was named. */
  cwfzrxm: string;
  /** 财务负责人证件号码 */
  cwfzrzjhm: string;
  /** 公布日期, `YYYY年MM月DD日` */
  gbrq: string;
  /** 公布机关 */
  gbjg: string;
}

export interface TaxArrearsItem {
  /** 公告序号 */
  ggxh: string;
  /** 欠税税种 */
  sz: string;
  /** 欠税余额, yuan as a string */
  qsye: string;
  /** 欠税所属期, `YYYYMM` */
  qsssq: string;
  /** 公告日期, `YYYYMMDD` */
  ggrq: string;
  /** 公告机关 */
  ggjg: string;
}

export interface TaxPaymentItem {
  /** 电子税票号码 */
  dzsphm: string;
  /** 所属期, `YYYYMM` */
  ssq: string;
  /** 征收项目代码: 10101 增值税, 10104 企业所得税, 10106 个人所得税 */
  zsxmdm: string;
  /** 实缴金额, yuan as a string */
  sjje: string;
}

/** What a demo subject's record replaces in its generated one. */
export type TaxDemoHistory = Partial<Pick<TaxpayerRow, 'shxydm' | 'xypj' | 'zdsswf' | 'qsgg' | 'jnqk'>>;
