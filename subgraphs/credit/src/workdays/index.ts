export {
  addWorkingDays,
  chinaDate,
  coversDate,
  DEFAULT_HOLIDAYS_FILE,
  isWorkingDay,
  loadHolidayCalendar,
  parseHolidayCalendar,
  type HolidayCalendar,
} from './calendar.js';
