import type { CreditRecordModel, CreditRepairModel } from '../models.js';
import type { MeasuresCatalog } from '../rules/catalog.js';
import type { ObjectionState } from '../store/objections.js';
import type { OutboxMessage } from './port.js';

/**
 * A granted repair withdraws the cases pushed for the record (信用修复 stops sharing and lifts the
 * measures): one `case.withdrawn` to each department implementing a measure of the lists the record
 * put its subject on, naming those measures. The same repair gives the same keys.
 */
export function caseWithdrawals(
  catalog: MeasuresCatalog,
  record: Pick<CreditRecordModel, 'id' | 'kind'>,
  repair: Pick<CreditRepairModel, 'id' | 'code' | 'repairedOn'>,
): OutboxMessage[] {
  const lists = catalog.listsFor(record.kind).map((list) => list.name);
  if (lists.length === 0) return [];
  const byDepartment = new Map<string, string[]>();
  for (const measure of catalog.forList({ names: lists }))
    for (const department of measure.implementingDepartments) {
      const measures = byDepartment.get(department);
      if (measures) measures.push(measure.id);
      else byDepartment.set(department, [measure.id]);
    }
  return [...byDepartment].map(([department, measures]) => ({
    department,
    topic: 'case.withdrawn',
    idempotencyKey: `case.withdrawn/${repair.id}/${department}`,
    payload: {
      reason: 'CREDIT_REPAIR',
      repairId: repair.id,
      code: repair.code,
      recordId: record.id,
      lists,
      measures,
      withdrawnOn: repair.repairedOn ?? null,
    },
  }));
}

/**
 * An objection goes to the department that supplied the record, which verifies and decides it
 * within its target date.
 */
export function objectionFiled(department: string, objection: ObjectionState): OutboxMessage {
  return {
    department,
    topic: 'objection.filed',
    idempotencyKey: `objection.filed/${objection.id}`,
    payload: {
      objectionId: objection.id,
      code: objection.code,
      recordId: objection.recordId,
      reason: objection.reason,
      filedAt: objection.filedAt,
      dueOn: objection.dueOn,
    },
  };
}
