/** The government procurement credit service's (中国政府采购网) format, which the procurement stand-in speaks. */
/**
 * A supplier as the government procurement credit service (中国政府采购网) returns it, in its own
 * pinyin-initial keys. Dates come in three styles: 记录日期 `YYYY-MM-DD`, 截止日期 `YYYY年MM月DD日`,
 * 签订日期 `YYYYMMDD`; contract amounts are strings in yuan.
 */
export interface CcgpSupplier {
  /** 供应商名称 */
  gysmc: string;
  /** 统一社会信用代码 */
  tyshxydm: string;
  /** 更新时间, `YYYY-MM-DD HH:mm:ss` in China Standard Time. */
  gxsj: string;
  /** 严重违法失信行为记录 */
  yzcjl: CcgpDishonestyRecord[];
  /** 合同信息 */
  htxx: CcgpContract[];
}

export interface CcgpDishonestyRecord {
  /** 记录编号 */
  jlbh: string;
  /** 企业名称 */
  qymc: string;
  /** 企业地址 */
  qydz: string;
  /** 严重违法失信行为的具体情形 */
  jtqx: string;
  /** 处罚依据 */
  cfyj: string;
  /** 处罚结果 */
  cfjg: string;
  /** 记录日期, `YYYY-MM-DD` */
  jlrq: string;
  /** 执法单位 */
  zfdw: string;
  /** 禁止参加政府采购活动期限截止日期, `YYYY年MM月DD日` */
  jzrq: string;
}

export interface CcgpContract {
  /** 合同编号 */
  htbh: string;
  /** 项目名称 */
  xmmc: string;
  /** 采购人 */
  cgr: string;
  /** 合同金额 in yuan, e.g. `1260000.00` */
  htje: string;
  /** 签订日期, `YYYYMMDD` */
  qdrq: string;
}

/** A demo subject's scripted record; null means the procurement system has never seen it. */
export type ProcurementDemoHistory = Pick<CcgpSupplier, 'yzcjl' | 'htxx'> & { gxsj: string };
