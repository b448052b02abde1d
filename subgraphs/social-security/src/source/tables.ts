/**
 * The contract of the front-end database (前置库): the tables human resources and social security
 * publishes there, with the department's own pinyin-initial names, which this adapter reads. Whoever
 * provides the database (the department, or the simulator in `sources/`) creates exactly these. The
 * same DDL runs on PostgreSQL and on SQLite (the embedded stand-in), so it keeps to types and clauses
 * both understand.
 */

/** 单位参保信息: one row per social insurance unit. */
export interface SbDwcbxx {
  /** 单位编号 */
  dwbh: string;
  /** 统一社会信用代码 */
  tyshxydm: string;
  /** 单位名称 */
  dwmc: string;
  /** 参保状态: 1 正常, 2 暂停, 3 注销 */
  cbzt: '1' | '2' | '3';
  /** 当前参保人数 */
  cbrs: number;
  /** 劳动保障守法诚信等级; null while the unit has not been rated. */
  ldbzdj: 'A' | 'B' | 'C' | null;
  /** 更新时间, `YYYY-MM-DD HH:mm:ss` in China Standard Time. */
  gxsj: string;
}

/** 缴费明细: one row per unit and fee period. */
export interface SbJfmx {
  tyshxydm: string;
  /** 费款所属期, `YYYYMM`. */
  fkssq: string;
  /** 参保人数 */
  cbrs: number;
  /** 应缴金额, yuan. */
  yjje: number;
  /** 实缴金额, yuan. */
  sjje: number;
}

/** 拖欠农民工工资失信联合惩戒对象名单: one row per listing. */
export interface SbTqgzmd {
  /** 记录编号 */
  jlbh: string;
  tyshxydm: string;
  /** 列入事由 */
  lrsy: string;
  /** 拖欠金额, yuan. */
  tqje: number;
  /** 列入日期, `YYYYMMDD`. */
  lrrq: string;
  /** 认定部门 */
  rdbm: string;
  /** 移出日期, `YYYYMMDD`; null while listed. */
  ycrq: string | null;
  /** 更新时间, `YYYY-MM-DD HH:mm:ss`. */
  gxsj: string;
}

/** The columns of each table, in their DDL order. */
export const FRONT_DB_COLUMNS = {
  sb_dwcbxx: ['dwbh', 'tyshxydm', 'dwmc', 'cbzt', 'cbrs', 'ldbzdj', 'gxsj'],
  sb_jfmx: ['tyshxydm', 'fkssq', 'cbrs', 'yjje', 'sjje'],
  sb_tqgzmd: ['jlbh', 'tyshxydm', 'lrsy', 'tqje', 'lrrq', 'rdbm', 'ycrq', 'gxsj'],
} as const satisfies Record<string, readonly string[]>;

export type FrontDbTable = keyof typeof FRONT_DB_COLUMNS;

/**
 * The tables, without their keys, so that a bulk load can build the keys after the rows: that is
 * several times faster than keeping 1.2 million period rows' key in order as they arrive.
 */
export const FRONT_DB_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS sb_dwcbxx (
    dwbh VARCHAR(20) NOT NULL,
    tyshxydm VARCHAR(18) NOT NULL,
    dwmc VARCHAR(200) NOT NULL,
    cbzt CHAR(1) NOT NULL,
    cbrs INTEGER NOT NULL,
    ldbzdj CHAR(1),
    gxsj VARCHAR(19) NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS sb_jfmx (
    tyshxydm VARCHAR(18) NOT NULL,
    fkssq CHAR(6) NOT NULL,
    cbrs INTEGER NOT NULL,
    yjje NUMERIC(16, 2) NOT NULL,
    sjje NUMERIC(16, 2) NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS sb_tqgzmd (
    jlbh VARCHAR(40) NOT NULL,
    tyshxydm VARCHAR(18) NOT NULL,
    lrsy VARCHAR(500) NOT NULL,
    tqje NUMERIC(16, 2) NOT NULL,
    lrrq CHAR(8) NOT NULL,
    rdbm VARCHAR(200) NOT NULL,
    ycrq CHAR(8),
    gxsj VARCHAR(19) NOT NULL
  )`,
];

/**
 * The keys, as unique indexes. Lookups are by credit code only, so each table has just the
 * index that serves them (the period table's key leads with the code) plus the listing number.
 */
export const FRONT_DB_INDEXES: readonly { name: string; ddl: string }[] = [
  { name: 'sb_dwcbxx_tyshxydm', ddl: 'CREATE UNIQUE INDEX IF NOT EXISTS sb_dwcbxx_tyshxydm ON sb_dwcbxx (tyshxydm)' },
  {
    name: 'sb_jfmx_tyshxydm_fkssq',
    ddl: 'CREATE UNIQUE INDEX IF NOT EXISTS sb_jfmx_tyshxydm_fkssq ON sb_jfmx (tyshxydm, fkssq)',
  },
  { name: 'sb_tqgzmd_jlbh', ddl: 'CREATE UNIQUE INDEX IF NOT EXISTS sb_tqgzmd_jlbh ON sb_tqgzmd (jlbh)' },
  { name: 'sb_tqgzmd_tyshxydm', ddl: 'CREATE INDEX IF NOT EXISTS sb_tqgzmd_tyshxydm ON sb_tqgzmd (tyshxydm)' },
];
