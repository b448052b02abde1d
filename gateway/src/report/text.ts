import type { ReportModel } from './model.js';
import type { ReportScope } from './scope.js';
import { SECTION_TITLES } from './sections.js';

export function REPORT_TITLE(model: Pick<ReportModel, 'scope'>): string {
  return model.scope.special ? '专项信用报告' : '公共信用信息报告';
}

/** The scope in words: which sections, which period. */
export function scopeText(scope: ReportScope): string {
  const sections = scope.special ? scope.sections.map((id) => SECTION_TITLES[id]).join('、') : '全部';
  const period = scope.from === null && scope.to === null ? '不限' : `${scope.from ?? '不限'} 至 ${scope.to ?? '不限'}`;
  return `${sections}；期间：${period}`;
}
