import type { TaxCreditGrade } from '../__generated__/types.js';

/** The tax administration publishes only the A list (纳税信用A级纳税人名单); other grades are not public. */
export function publishedGrades(grades: readonly TaxCreditGrade[]): TaxCreditGrade[] {
  return grades.filter((grade) => grade.published);
}
