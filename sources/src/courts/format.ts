/** The enforcement information disclosure site's (中国执行信息公开网) format, which the courts stand-in speaks. */
import { creditCodeParts } from '@credit-gateway/common';

/**
 * A dishonest judgment debtor (失信被执行人) in the keys of the enforcement information disclosure
 * site (中国执行信息公开网). Filing dates are written `2023年05月12日`; publication and revocation
 * are epoch milliseconds, as the site's JSON sends them.
 */
export interface ZxgkDebtor {
  id: number;
  /** 被执行人姓名/名称 */
  iname: string;
  /** 案号, `(2023)渝0112执1234号` */
  caseCode: string;
  /** Organization code with a hyphen before the check character (`MA60YD7K-7`), or resident ID number. */
  cardNum: string;
  /** 法定代表人或者负责人姓名; empty for a natural person. */
  businessEntity: string;
  courtName: string;
  /** 省份, in its short form: `重庆`, `内蒙古`. */
  areaName: string;
  /** 执行依据文号 */
  gistId: string;
  /** 做出执行依据单位 */
  gistUnit: string;
  /** 立案时间 */
  regDate: string;
  /** 生效法律文书确定的义务 */
  duty: string;
  performance: '全部未履行' | '部分履行';
  /** `暂无` unless the obligation is partly performed. */
  performedPart: string;
  unperformPart: string;
  /** 失信被执行人行为具体情形 */
  disruptTypeName: string;
  publishDate: number;
  /** 0 在列; 1 撤销 (the obligation was performed); 2 屏蔽 (the listing period ended). */
  revokeState: '0' | '1' | '2';
  revokeDate: number | null;
  revokeReason: string | null;
}

/** A person a company's order binds (关联人员). */
export interface ZxgkBoundPerson {
  /** 姓名 */
  xm: string;
  /** 证件号码; empty where the court holds none. */
  zjhm: string;
  /** 身份 */
  sf: '法定代表人' | '主要负责人' | '实际控制人';
}

/** A consumption restriction order (限制消费令) as the courts' data-exchange interface sends it. */
export interface ZxgkRestriction {
  /** 案件标识 */
  ajbs: string;
  /** 案号, written with full-width parentheses as the order itself is. */
  ah: string;
  /** 法院名称 */
  fymc: string;
  /** 发布日期, YYYYMMDD */
  fbrq: string;
  /** 被限制消费人名称 */
  xfrmc: string;
  /** 被限制消费人证件号码: organization code with hyphen, or ID number. */
  xfrzjhm: string;
  /** 限制消费事项: item numbers 1–9, comma-joined. */
  xzsx: string;
  glry: ZxgkBoundPerson[];
  /** 状态 */
  zt: '有效' | '已解除';
  /** 解除日期, YYYYMMDD, empty while in force. */
  jcrq: string;
  /** 更新时间, `YYYY-MM-DD HH:mm:ss` China Standard Time. */
  gxsj: string;
}

/** Everything the courts publish on one subject: its debtor records and the orders naming it. */
export interface CourtsHistory {
  sxbzxr: ZxgkDebtor[];
  xzxfl: ZxgkRestriction[];
}

/** Epoch milliseconds of a calendar date's midnight in China Standard Time. */
export function chinaMidnight(date: string): number {
  return Date.parse(`${date}T00:00:00+08:00`);
}

/** `2023年05月12日`, as the disclosure site writes a filing date. */
export function chineseDate(date: string): string {
  return `${date.slice(0, 4)}年${date.slice(5, 7)}月${date.slice(8, 10)}日`;
}

/** `20230512`, as restriction orders write dates. */
export function compactDate(date: string): string {
  return date.replaceAll('-', '');
}

/** The organization code as court records write it: `MA60YD7K-7`. */
export function hyphenatedOrganizationCode(code: string): string {
  const organizationCode = creditCodeParts(code).organizationCode;
  return `${organizationCode.slice(0, 8)}-${organizationCode.slice(8)}`;
}
