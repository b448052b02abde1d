/** The national enterprise credit publicity system's (GSXT) format, which the market stand-in speaks. */
/**
 * A subject as the national enterprise credit publicity system (GSXT) returns it: its own legacy
 * keys, Chinese status texts, capital as a string in 万元, and some dates as epoch milliseconds.
 */
export interface GsxtEntity {
  pripid: string;
  entName: string;
  uniscId: string;
  regNo: string | null;
  lerep: string | null;
  lerepCerType: string | null;
  lerepCerNo: string | null;
  entType_CN: string;
  regState_CN: string;
  regCap: string | null;
  regCapCur_CN: string | null;
  estDate: string;
  opFrom: string | null;
  opTo: string | null;
  dom: string;
  opScope: string;
  regOrg_CN: string;
  /** 吊销日期 */
  revDate: string | null;
  /** 注销日期 */
  canDate: string | null;
  /** Last update, `YYYY-MM-DD HH:mm:ss` in China Standard Time. */
  updateTime: string;
  licenceInfo: GsxtLicence[];
  punishInfo: GsxtPenalty[];
  abnormalInfo: GsxtAbnormal[];
  illInfo: GsxtSeriousIllegal[];
  spotCheckInfo: GsxtSpotCheck[];
  honorInfo: GsxtHonour[];
}

export interface GsxtLicence {
  licId: string;
  licNo: string;
  licName_CN: string;
  licContent: string;
  valFrom: string;
  valTo: string | null;
  licAnth: string;
}

export interface GsxtPenalty {
  caseId: string;
  penDecNo: string;
  illegActType: string;
  penContent: string;
  penAuth_CN: string;
  penDecIssDate: string;
  publicDate: string;
}

/** `abntime` and `remDate` are epoch milliseconds, as GSXT's list services send them. */
export interface GsxtAbnormal {
  busExcList: string;
  speCause_CN: string;
  abntime: number;
  decOrg_CN: string;
  remExcpRes_CN: string | null;
  remDate: number | null;
  reDecOrg_CN: string | null;
}

export interface GsxtSeriousIllegal {
  illId: string;
  serILLRea_CN: string;
  abntime: number;
  decOrg_CN: string;
  remExcpRes_CN: string | null;
  remDate: number | null;
}

export interface GsxtSpotCheck {
  insId: string;
  /** 1 定向抽查, 2 不定向抽查 */
  insType: '1' | '2';
  insDate: string;
  insRes_CN: string;
  insAuth: string;
}

export interface GsxtHonour {
  honorId: string;
  honorName: string;
  honorYear: string;
  honorOrg: string;
}

/** What a demo subject adds to, or replaces in, its generated record. */
export type MarketDemoHistory = Partial<
  Pick<GsxtEntity, 'licenceInfo' | 'punishInfo' | 'abnormalInfo' | 'illInfo' | 'spotCheckInfo' | 'honorInfo'>
>;

export function epochMillis(date: string): number {
  return Date.parse(`${date}T00:00:00+08:00`);
}
