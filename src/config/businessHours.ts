/**
 * Business hours for the agent desk.
 *
 * Format (HANDOFF_BUSINESS_HOURS): rules separated by `;`, each `<days> <range> [<range> ...]`.
 *
 * - days: `Mon`, `Mon-Fri`, `Fri-Mon` (wraps around the week), lists such as `Mon,Wed,Fri`, or
 *   `Daily`. Names are English, three letters or full, any case.
 * - range: `HH:MM-HH:MM`, 24-hour clock. `24:00` ends at midnight. An end at or before the start
 *   runs past midnight into the next day (`Fri 22:00-02:00` is open until Saturday 02:00).
 * - Several rules for one day add up: `Mon-Fri 09:00-12:00 13:00-17:00; Sat 10:00-14:00`.
 * - The time zone is a separate IANA name (HANDOFF_TIME_ZONE, e.g. `Europe/Berlin`), so DST is
 *   handled by Intl; closed dates (HANDOFF_CLOSED_DATES, local `YYYY-MM-DD`) close whole days.
 * - An empty schedule means always open.
 */

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DISPLAY_DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
const FULL_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const DAY_MINUTES = 1440;
const WEEK_MINUTES = 7 * DAY_MINUTES;

/** A malformed schedule; the message says which part and why. */
export class BusinessHoursSyntaxError extends Error {}

/** An open interval in minutes since Monday 00:00 local time, `end` exclusive, within one week. */
interface WeekInterval {
  start: number;
  end: number;
}

/** When the desk opens next, in the desk's local time. */
export interface NextOpening {
  /** Days from today (local), 0 = later today. */
  inDays: number;
  /** English weekday name, e.g. "Monday". */
  weekday: string;
  /** `HH:MM`, local. */
  time: string;
}

interface LocalTime {
  /** 0 = Monday. */
  weekday: number;
  minute: number;
  year: number;
  month: number;
  day: number;
}

export interface BusinessHoursOptions {
  timeZone?: string;
  closedDates?: readonly string[];
}

/** A weekly schedule in one time zone. Immutable; `isOpen` is cheap (one Intl format). */
export class BusinessHours {
  readonly timeZone: string;
  private readonly intervals: WeekInterval[];
  private readonly closedDates: ReadonlySet<string>;
  private readonly formatter: Intl.DateTimeFormat;

  private constructor(
    readonly source: string,
    intervals: WeekInterval[],
    options: BusinessHoursOptions,
  ) {
    this.timeZone = options.timeZone ?? 'UTC';
    this.intervals = intervals;
    this.closedDates = new Set(options.closedDates ?? []);
    this.formatter = zoneFormatter(this.timeZone);
  }

  /** Parses a schedule; throws BusinessHoursSyntaxError (or RangeError for a bad zone). */
  static parse(source: string, options: BusinessHoursOptions = {}): BusinessHours {
    if (options.timeZone !== undefined) assertTimeZone(options.timeZone);
    for (const date of options.closedDates ?? []) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new BusinessHoursSyntaxError(`closed date "${date}" is not YYYY-MM-DD.`);
    }
    const trimmed = source.trim();
    const intervals = trimmed === '' ? [{ start: 0, end: WEEK_MINUTES }] : parseRules(trimmed);
    return new BusinessHours(trimmed, intervals, options);
  }

  /** Always open (an empty schedule). */
  static always(): BusinessHours {
    return BusinessHours.parse('');
  }

  /** True when the schedule is empty and there are no closed dates. */
  get alwaysOpen(): boolean {
    return this.source === '' && this.closedDates.size === 0;
  }

  /** True when `at` falls inside the schedule and not on a closed date. */
  isOpen(at: number): boolean {
    const local = this.localTime(at);
    if (this.closedDates.has(dateKey(local.year, local.month, local.day))) return false;
    const weekMinute = local.weekday * DAY_MINUTES + local.minute;
    return this.intervals.some((i) => weekMinute >= i.start && weekMinute < i.end);
  }

  /** The next opening after `at` (within two weeks), or undefined if the schedule never opens. */
  nextOpening(at: number): NextOpening | undefined {
    const local = this.localTime(at);
    const now = local.weekday * DAY_MINUTES + local.minute;
    const starts = this.openingMinutes();
    for (let offset = 0; offset <= 2 * WEEK_MINUTES; offset += 1) {
      const weekMinute = (now + offset) % WEEK_MINUTES;
      if (offset === 0 || !starts.has(weekMinute)) continue;
      const inDays = Math.floor((local.minute + offset) / DAY_MINUTES);
      const date = addDays(local.year, local.month, local.day, inDays);
      if (this.closedDates.has(date)) continue;
      const minuteOfDay = weekMinute % DAY_MINUTES;
      return {
        inDays,
        weekday: DISPLAY_DAYS[Math.floor(weekMinute / DAY_MINUTES)] as string,
        time: `${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}`,
      };
    }
    return undefined;
  }

  /** Week minutes at which the desk goes from closed to open. */
  private openingMinutes(): Set<number> {
    const open = new Set<number>();
    for (const i of this.intervals) {
      const before = (i.start - 1 + WEEK_MINUTES) % WEEK_MINUTES;
      if (!this.intervals.some((j) => before >= j.start && before < j.end)) open.add(i.start);
    }
    return open;
  }

  private localTime(at: number): LocalTime {
    const parts: Record<string, string> = {};
    for (const part of this.formatter.formatToParts(new Date(at))) parts[part.type] = part.value;
    const weekday = DAY_NAMES.indexOf((parts.weekday ?? '').toLowerCase() as (typeof DAY_NAMES)[number]);
    return {
      weekday,
      minute: Number(parts.hour) * 60 + Number(parts.minute),
      year: Number(parts.year),
      month: Number(parts.month),
      day: Number(parts.day),
    };
  }
}

function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
}

/** Throws a RangeError naming the zone when Intl does not know it. */
export function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new RangeError(`"${timeZone}" is not an IANA time zone (for example Europe/Berlin or America/New_York).`);
  }
}

function parseRules(source: string): WeekInterval[] {
  const intervals: WeekInterval[] = [];
  for (const rawRule of source.split(';')) {
    const rule = rawRule.trim();
    if (rule === '') continue;
    const [daysPart, ...ranges] = rule.split(/\s+/);
    if (!daysPart || ranges.length === 0) {
      throw new BusinessHoursSyntaxError(`rule "${rule}" needs days and at least one time range, e.g. "Mon-Fri 09:00-17:00".`);
    }
    const days = parseDays(daysPart, rule);
    for (const range of ranges) {
      const [start, end] = parseRange(range, rule);
      for (const day of days) {
        const from = day * DAY_MINUTES + start;
        const length = end > start ? end - start : DAY_MINUTES - start + end;
        addInterval(intervals, from, from + length);
      }
    }
  }
  if (intervals.length === 0) throw new BusinessHoursSyntaxError('no rules found; leave it empty for "always open".');
  return intervals;
}

/** Adds [from, to) in week minutes, splitting at the end of the week. */
function addInterval(intervals: WeekInterval[], from: number, to: number): void {
  if (to <= WEEK_MINUTES) {
    intervals.push({ start: from, end: to });
    return;
  }
  intervals.push({ start: from, end: WEEK_MINUTES });
  intervals.push({ start: 0, end: to - WEEK_MINUTES });
}

function parseDays(spec: string, rule: string): number[] {
  if (/^(daily|every ?day|\*)$/i.test(spec)) return [0, 1, 2, 3, 4, 5, 6];
  const days = new Set<number>();
  for (const item of spec.split(',')) {
    const [first, last, extra] = item.split('-');
    if (extra !== undefined || !first) throw new BusinessHoursSyntaxError(`"${item}" in rule "${rule}" is not a day or day range.`);
    const from = dayIndex(first, rule);
    const to = last === undefined ? from : dayIndex(last, rule);
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === to) break;
    }
  }
  return [...days];
}

function dayIndex(name: string, rule: string): number {
  const lower = name.toLowerCase();
  const index = lower.length === 3 ? DAY_NAMES.indexOf(lower as (typeof DAY_NAMES)[number]) : FULL_NAMES.indexOf(lower);
  if (index < 0) throw new BusinessHoursSyntaxError(`"${name}" in rule "${rule}" is not a day (use Mon, Tue, ... Sun).`);
  return index;
}

function parseRange(range: string, rule: string): [number, number] {
  const match = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(range);
  if (!match) throw new BusinessHoursSyntaxError(`"${range}" in rule "${rule}" is not a time range like 09:00-17:00.`);
  const start = toMinutes(Number(match[1]), Number(match[2]), range, rule, false);
  const end = toMinutes(Number(match[3]), Number(match[4]), range, rule, true);
  if (start === end % DAY_MINUTES && end !== DAY_MINUTES) {
    throw new BusinessHoursSyntaxError(`"${range}" in rule "${rule}" is empty; use 00:00-24:00 for a whole day.`);
  }
  return [start, end === DAY_MINUTES ? DAY_MINUTES : end];
}

function toMinutes(hours: number, minutes: number, range: string, rule: string, isEnd: boolean): number {
  const valid = minutes < 60 && (hours < 24 || (isEnd && hours === 24 && minutes === 0));
  if (!valid) throw new BusinessHoursSyntaxError(`"${range}" in rule "${rule}" has an invalid time.`);
  return hours * 60 + minutes;
}

function dateKey(year: number, month: number, day: number): string {
  return `${year}-${pad(month)}-${pad(day)}`;
}

function addDays(year: number, month: number, day: number, days: number): string {
  const date = new Date(Date.UTC(year, month - 1, day + days));
  return dateKey(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
