import { epochToChinaDate } from '@credit-gateway/common';

/** The calendar date in China Standard Time at an instant: bans are dated in Beijing time. */
export function chinaToday(now: Date): string {
  return epochToChinaDate(now.getTime());
}

/** A ban is in force up to and including its end date (禁止参加政府采购活动期限截止日期). */
export function banInForce(record: { banEndsOn: string }, today: string): boolean {
  return today <= record.banEndsOn;
}

/** Whether any of a supplier's records bars it from government procurement today. */
export function isBanned(records: readonly { banEndsOn: string }[], today: string): boolean {
  return records.some((record) => banInForce(record, today));
}
