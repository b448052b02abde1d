import type {
  CreditListKind,
  CreditRecordKind,
  CreditRecordState,
  DecisionContext,
  Severity,
} from '../__generated__/types.js';
import { DEPARTMENT_ID_PATTERN } from '@credit-gateway/common';
import type { MeasureModel } from '../models.js';
import {
  CREDIT_RECORD_KINDS,
  CREDIT_RECORD_STATES,
  DataChecker,
  DECISION_CONTEXTS,
  defaultDataFile,
  MEASURE_KINDS,
  readDataFile,
  SEVERITIES,
} from './data.js';
import { loadListKinds, type ListKindModel, type ListKinds } from './list-kinds.js';
import type { DepartmentRegistry } from './departments.js';

export const DEFAULT_MEASURES_FILE = defaultDataFile('measures.json');

/**
 * The nine consumption restrictions of a judgment debtor, in the order of 《最高人民法院关于限制被执行人
 * 高消费及有关消费的若干规定》第三条. The courts' linkage feed names restricted items 1–9; the
 * catalog must hold a measure for each.
 */
export const CONSUMPTION_RESTRICTION_MEASURE_IDS = [
  'RESTRICT-1',
  'RESTRICT-2',
  'RESTRICT-3',
  'RESTRICT-4',
  'RESTRICT-5',
  'RESTRICT-6',
  'RESTRICT-7',
  'RESTRICT-8',
  'RESTRICT-9',
] as const;

/** One specific list, of a kind (red, watch, black…), and the records that put a subject on it. */
export interface ListDefinition {
  name: string;
  /** The class of its kind. */
  list: CreditListKind;
  /** Its kind, as data (data/list-kinds.json). */
  kind: ListKindModel;
  /** The department that keeps the list (认定部门). */
  department: string;
  recordKinds: readonly CreditRecordKind[];
  /** When set, only records of these severities put a subject on it (e.g. general penalties). */
  severities?: readonly Severity[];
  /** The regulation or plan the list comes from. */
  source?: string;
}

/** Who the green channel (绿色通道 / 容缺受理) is open to. */
export interface GreenChannelPolicy {
  /** Red lists whose members are exemplary subjects (诚信典型). */
  exemplaryLists: readonly string[];
  /** Consecutive years without an adverse record that also open it. */
  cleanYears: number;
  /**
   * States of an adverse record that break those years when the record was in effect at any time
   * within them: published now, or ended (expired, removed) within them.
   */
  adverseStates: readonly CreditRecordState[];
}

/**
 * The closed catalog of measures (联合奖惩措施清单) and the lists they target. A measure not in it
 * cannot be applied: applied measures hold an entry looked up here.
 */
export interface MeasuresCatalog {
  readonly version: string;
  readonly greenChannel: GreenChannelPolicy;
  /** Whether a subject whose blacklisting is in force gets no incentive measure (守信激励). */
  readonly incentivesClosedToBlackListed: boolean;
  all(): readonly MeasureModel[];
  get(id: string): MeasureModel | undefined;
  /** Measures of one list kind, in one context, or targeting one of the given specific lists. */
  forList(filter?: {
    list?: CreditListKind | null;
    /** A list kind id (data/list-kinds.json). */
    listKind?: string | null;
    context?: DecisionContext | null;
    names?: Iterable<string>;
  }): MeasureModel[];
  lists(): readonly ListDefinition[];
  /** The list kinds the lists belong to. */
  readonly listKinds: ListKinds;
  /** The lists a record of this kind puts its subject on. */
  listsFor(kind: CreditRecordKind): readonly ListDefinition[];
}

/** Reads and validates data/measures.json; every problem in it is reported at once. */
export function loadMeasuresCatalog(
  file: string = DEFAULT_MEASURES_FILE,
  listKinds?: ListKinds,
  departments?: Pick<DepartmentRegistry, 'has'>,
): MeasuresCatalog {
  return parseMeasuresCatalog(readDataFile(file), file, listKinds, departments);
}

/**
 * Parses the catalog. Each list and measure names its list kind by id, one of `listKinds`
 * (data/list-kinds.json by default). A measure targets lists of its own kind, or of another kind
 * of the same polarity (a punitive measure may reach a watch list, e.g. NO-COMMITMENT-APPROVAL
 * for broken commitments); never an incentive list from a punitive measure or the reverse. With a
 * departments registry, every implementing department of a measure must be in it.
 */
export function parseMeasuresCatalog(
  data: unknown,
  file = 'measures.json',
  listKinds: ListKinds = loadListKinds(),
  departments?: Pick<DepartmentRegistry, 'has'>,
): MeasuresCatalog {
  const kindIds = listKinds.all().map((k) => k.id);
  const check = new DataChecker();
  const root = check.object(data, '$', {
    required: ['version', 'incentivesClosedToBlackListed', 'greenChannel', 'lists', 'measures'],
  });
  const version = check.string(root?.['version'], '$.version') ?? '';
  const incentivesClosedToBlackListed =
    check.boolean(root?.['incentivesClosedToBlackListed'], '$.incentivesClosedToBlackListed') ?? true;

  const lists: ListDefinition[] = [];
  (check.array(root?.['lists'], '$.lists', { nonEmpty: true }) ?? []).forEach((item, index) => {
    const path = `$.lists[${index}]`;
    const entry = check.object(item, path, {
      required: ['name', 'list', 'department', 'recordKinds'],
      optional: ['severities', 'source'],
    });
    if (!entry) return;
    const name = check.string(entry['name'], `${path}.name`);
    const kindId = check.oneOf(entry['list'], `${path}.list`, kindIds);
    const department = check.string(entry['department'], `${path}.department`);
    const recordKinds = check.setOf(entry['recordKinds'], `${path}.recordKinds`, CREDIT_RECORD_KINDS);
    const severities =
      entry['severities'] === undefined
        ? undefined
        : (check.setOf(entry['severities'], `${path}.severities`, SEVERITIES) ?? []);
    const source = entry['source'] === undefined ? undefined : check.string(entry['source'], `${path}.source`);
    if (name !== undefined && lists.some((l) => l.name === name))
      check.problem(`${path}.name`, `'${name}' is defined twice`);
    const kind = kindId === undefined ? undefined : listKinds.get(kindId);
    if (name === undefined || kind === undefined || department === undefined || recordKinds === undefined) return;
    lists.push({
      name,
      list: kind.class,
      kind,
      department,
      recordKinds,
      ...(severities ? { severities } : {}),
      ...(source ? { source } : {}),
    });
  });
  const listByName = new Map(lists.map((l) => [l.name, l]));

  const measures: MeasureModel[] = [];
  (check.array(root?.['measures'], '$.measures', { nonEmpty: true }) ?? []).forEach((item, index) => {
    const path = `$.measures[${index}]`;
    const entry = check.object(item, path, {
      required: [
        'id',
        'name',
        'kind',
        'list',
        'targetLists',
        'legalBasis',
        'initiatingDepartment',
        'implementingDepartment',
        'implementingDepartments',
        'contexts',
      ],
      optional: ['reachesRepresentative'],
    });
    if (!entry) return;
    const id = check.string(entry['id'], `${path}.id`);
    const name = check.string(entry['name'], `${path}.name`);
    const kind = check.oneOf(entry['kind'], `${path}.kind`, MEASURE_KINDS);
    const kindId = check.oneOf(entry['list'], `${path}.list`, kindIds);
    const listKind = kindId === undefined ? undefined : listKinds.get(kindId);
    const list = listKind?.class;
    const targetLists = check.strings(entry['targetLists'], `${path}.targetLists`);
    const legalBasis = check.string(entry['legalBasis'], `${path}.legalBasis`);
    const initiatingDepartment = check.string(entry['initiatingDepartment'], `${path}.initiatingDepartment`);
    const implementingDepartment = check.string(entry['implementingDepartment'], `${path}.implementingDepartment`);
    const implementingDepartments = check.strings(entry['implementingDepartments'], `${path}.implementingDepartments`);
    implementingDepartments?.forEach((department, d) => {
      if (!DEPARTMENT_ID_PATTERN.test(department))
        check.problem(`${path}.implementingDepartments[${d}]`, `'${department}' is not a department id`);
      else if (departments && !departments.has(department))
        check.problem(`${path}.implementingDepartments[${d}]`, `'${department}' is not in the departments registry`);
    });
    const contexts = check.setOf(entry['contexts'], `${path}.contexts`, DECISION_CONTEXTS);
    const reachesRepresentative =
      entry['reachesRepresentative'] === undefined
        ? false
        : check.boolean(entry['reachesRepresentative'], `${path}.reachesRepresentative`);
    if (id !== undefined && measures.some((m) => m.id === id)) check.problem(`${path}.id`, `'${id}' is defined twice`);
    targetLists?.forEach((target, t) => {
      const defined = listByName.get(target);
      if (!defined) check.problem(`${path}.targetLists[${t}]`, `'${target}' is not a list defined in $.lists`);
      else if (listKind !== undefined && defined.kind.incentive !== listKind.incentive)
        check.problem(
          `${path}.targetLists[${t}]`,
          `'${target}' is a ${defined.kind.id} list, the measure is for ${listKind.id}: incentives and punishments do not mix`,
        );
    });
    if (
      id === undefined ||
      name === undefined ||
      kind === undefined ||
      list === undefined ||
      listKind === undefined ||
      targetLists === undefined ||
      legalBasis === undefined ||
      initiatingDepartment === undefined ||
      implementingDepartment === undefined ||
      implementingDepartments === undefined ||
      contexts === undefined ||
      reachesRepresentative === undefined
    )
      return;
    measures.push({
      id,
      name,
      kind,
      list,
      listKind,
      targetLists,
      legalBasis,
      initiatingDepartment,
      implementingDepartment,
      implementingDepartments,
      contexts,
      reachesRepresentative,
    });
  });

  for (const id of CONSUMPTION_RESTRICTION_MEASURE_IDS) {
    const measure = measures.find((m) => m.id === id);
    if (!measure) check.problem('$.measures', `'${id}' is missing: the court linkage feed names it`);
    else if (!measure.contexts.includes('HIGH_CONSUMPTION'))
      check.problem('$.measures', `'${id}' must apply in the HIGH_CONSUMPTION context`);
  }
  for (const definition of lists) {
    if (!measures.some((m) => m.targetLists.includes(definition.name)))
      check.problem('$.lists', `'${definition.name}' is targeted by no measure`);
  }

  const greenChannel = readGreenChannel(check, root?.['greenChannel'], listByName);
  check.done(file);
  return createCatalog(
    { version, incentivesClosedToBlackListed, greenChannel: greenChannel!, listKinds },
    lists,
    measures,
  );
}

function readGreenChannel(
  check: DataChecker,
  value: unknown,
  lists: ReadonlyMap<string, ListDefinition>,
): GreenChannelPolicy | undefined {
  const entry = check.object(value, '$.greenChannel', { required: ['exemplaryLists', 'cleanYears', 'adverseStates'] });
  if (!entry) return undefined;
  const exemplaryLists = check.strings(entry['exemplaryLists'], '$.greenChannel.exemplaryLists');
  const cleanYears = check.number(entry['cleanYears'], '$.greenChannel.cleanYears', { min: 1, max: 10, integer: true });
  exemplaryLists?.forEach((name, index) => {
    if (lists.get(name)?.list !== 'RED')
      check.problem(`$.greenChannel.exemplaryLists[${index}]`, `'${name}' is not a RED list defined in $.lists`);
  });
  const adverseStates = check.setOf(entry['adverseStates'], '$.greenChannel.adverseStates', CREDIT_RECORD_STATES);
  if (exemplaryLists === undefined || cleanYears === undefined || adverseStates === undefined) return undefined;
  return { exemplaryLists, cleanYears, adverseStates };
}

function createCatalog(
  settings: Pick<MeasuresCatalog, 'version' | 'incentivesClosedToBlackListed' | 'greenChannel' | 'listKinds'>,
  lists: readonly ListDefinition[],
  measures: readonly MeasureModel[],
): MeasuresCatalog {
  const byId = new Map(measures.map((m) => [m.id, Object.freeze(m)]));
  const byKind = new Map<CreditRecordKind, ListDefinition[]>();
  for (const definition of lists) {
    for (const kind of definition.recordKinds) byKind.set(kind, [...(byKind.get(kind) ?? []), definition]);
  }
  return {
    ...settings,
    all: () => measures,
    get: (id) => byId.get(id),
    forList(filter = {}) {
      const names = filter.names === undefined ? undefined : new Set(filter.names);
      return measures.filter(
        (m) =>
          (filter.list == null || m.list === filter.list) &&
          (filter.listKind == null || m.listKind.id === filter.listKind) &&
          (filter.context == null || m.contexts.includes(filter.context)) &&
          (names === undefined || m.targetLists.some((t) => names.has(t))),
      );
    },
    lists: () => lists,
    listsFor: (kind) => byKind.get(kind) ?? [],
  };
}
