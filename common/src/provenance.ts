import type { SourceName } from './errors.js';

/** The `SourceSystem` enum of the shared schema. */
export type SourceSystem = 'MARKET' | 'TAX' | 'COURTS' | 'SOCIAL_SECURITY' | 'PROCUREMENT';

/** Where a record came from and when (条条可溯源): every record in a profile carries one. */
export interface Provenance {
  source: SourceSystem;
  /** The department system's own name, as users know it. */
  system: string;
  recordId: string;
  /** When the department system last updated the record, ISO 8601. */
  asOf: string;
}

const SYSTEMS: Readonly<Record<SourceName, { source: SourceSystem; system: string }>> = {
  market: {
    source: 'MARKET',
    system: '国家企业信用信息公示系统 (National Enterprise Credit Information Publicity System)',
  },
  tax: { source: 'TAX', system: '税务信用管理系统 (Tax Credit Management System)' },
  courts: { source: 'COURTS', system: '中国执行信息公开网 (China Enforcement Information Disclosure)' },
  'social-security': { source: 'SOCIAL_SECURITY', system: '人力社保前置库 (Social Security Front-end Database)' },
  procurement: {
    source: 'PROCUREMENT',
    system: '政府采购严重违法失信行为记录 (Government Procurement Credit Records)',
  },
};

export function provenance(source: SourceName, recordId: string, asOf: string): Provenance {
  return { ...SYSTEMS[source], recordId, asOf };
}

/** `YYYY-MM-DD HH:mm:ss` as department systems write local time → ISO 8601 in China Standard Time. */
export function chinaLocalToIso(local: string): string | null {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(local.trim());
  return match ? `${match[1]}T${match[2]}+08:00` : null;
}

/** Epoch milliseconds → the calendar date in China Standard Time. */
export function epochToChinaDate(millis: number): string {
  return new Date(millis + 8 * 3_600_000).toISOString().slice(0, 10);
}
