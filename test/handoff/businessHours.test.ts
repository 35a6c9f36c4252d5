import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { BusinessHours, BusinessHoursSyntaxError } from '../../src/config/businessHours';

/** 2026-03-02 is a Monday. */
const at = (iso: string): number => Date.parse(iso);

describe('BusinessHours', () => {
  it('should be always open when the schedule is empty', () => {
    const hours = BusinessHours.parse('');
    assert.equal(hours.alwaysOpen, true);
    assert.equal(hours.isOpen(at('2026-03-07T03:00:00Z')), true);
  });

  it('should open on weekdays within the range and close outside it (UTC)', () => {
    const hours = BusinessHours.parse('Mon-Fri 09:00-17:00');
    assert.equal(hours.isOpen(at('2026-03-02T09:00:00Z')), true, 'Monday 09:00 is open (start inclusive)');
    assert.equal(hours.isOpen(at('2026-03-02T16:59:00Z')), true);
    assert.equal(hours.isOpen(at('2026-03-02T17:00:00Z')), false, 'end is exclusive');
    assert.equal(hours.isOpen(at('2026-03-02T08:59:00Z')), false);
    assert.equal(hours.isOpen(at('2026-03-07T12:00:00Z')), false, 'Saturday');
  });

  it('should apply the time zone, including daylight saving time', () => {
    const hours = BusinessHours.parse('Mon-Fri 09:00-17:00', { timeZone: 'Europe/Berlin' });
    // Winter: Berlin is UTC+1, so 09:00 local is 08:00Z.
    assert.equal(hours.isOpen(at('2026-03-02T08:00:00Z')), true);
    assert.equal(hours.isOpen(at('2026-03-02T07:59:00Z')), false);
    // Summer: UTC+2, so 09:00 local is 07:00Z.
    assert.equal(hours.isOpen(at('2026-07-06T07:00:00Z')), true);
    assert.equal(hours.isOpen(at('2026-07-06T15:00:00Z')), false);
  });

  it('should add up several rules and ranges', () => {
    const hours = BusinessHours.parse('Mon-Fri 09:00-12:00 13:00-17:00; Sat 10:00-14:00');
    assert.equal(hours.isOpen(at('2026-03-04T12:30:00Z')), false, 'lunch break');
    assert.equal(hours.isOpen(at('2026-03-04T13:00:00Z')), true);
    assert.equal(hours.isOpen(at('2026-03-07T11:00:00Z')), true, 'Saturday morning');
    assert.equal(hours.isOpen(at('2026-03-08T11:00:00Z')), false, 'Sunday');
  });

  it('should run a range past midnight into the next day, also across the week end', () => {
    const hours = BusinessHours.parse('Sun 22:00-02:00');
    assert.equal(hours.isOpen(at('2026-03-08T23:00:00Z')), true, 'Sunday 23:00');
    assert.equal(hours.isOpen(at('2026-03-09T01:59:00Z')), true, 'Monday 01:59');
    assert.equal(hours.isOpen(at('2026-03-09T02:00:00Z')), false);
  });

  it('should accept lists, wrapping day ranges, full names, Daily and 24:00', () => {
    assert.equal(BusinessHours.parse('Mon,Wed 09:00-10:00').isOpen(at('2026-03-04T09:30:00Z')), true);
    assert.equal(BusinessHours.parse('Mon,Wed 09:00-10:00').isOpen(at('2026-03-03T09:30:00Z')), false);
    assert.equal(BusinessHours.parse('Fri-Mon 00:00-24:00').isOpen(at('2026-03-08T12:00:00Z')), true);
    assert.equal(BusinessHours.parse('Fri-Mon 00:00-24:00').isOpen(at('2026-03-04T12:00:00Z')), false);
    assert.equal(BusinessHours.parse('saturday 10:00-11:00').isOpen(at('2026-03-07T10:30:00Z')), true);
    assert.equal(BusinessHours.parse('Daily 00:00-24:00').isOpen(at('2026-03-04T23:59:00Z')), true);
  });

  it('should close on closed dates in local time', () => {
    const hours = BusinessHours.parse('Daily 00:00-24:00', { timeZone: 'America/New_York', closedDates: ['2026-12-25'] });
    assert.equal(hours.isOpen(at('2026-12-25T12:00:00Z')), false);
    assert.equal(hours.isOpen(at('2026-12-26T03:00:00Z')), false, '22:00 on the 25th in New York');
    assert.equal(hours.isOpen(at('2026-12-26T06:00:00Z')), true);
    assert.equal(hours.alwaysOpen, false);
  });

  it('should say when it opens next, skipping closed dates', () => {
    const hours = BusinessHours.parse('Mon-Fri 09:00-17:00', { closedDates: ['2026-03-09'] });
    assert.deepEqual(hours.nextOpening(at('2026-03-02T07:00:00Z')), { inDays: 0, weekday: 'Monday', time: '09:00' });
    assert.deepEqual(hours.nextOpening(at('2026-03-02T18:00:00Z')), { inDays: 1, weekday: 'Tuesday', time: '09:00' });
    assert.deepEqual(hours.nextOpening(at('2026-03-06T18:00:00Z')), { inDays: 4, weekday: 'Tuesday', time: '09:00' });
  });

  it('should treat touching ranges as one opening', () => {
    const hours = BusinessHours.parse('Mon 09:00-12:00 12:00-17:00');
    assert.deepEqual(hours.nextOpening(at('2026-03-02T10:00:00Z')), { inDays: 7, weekday: 'Monday', time: '09:00' });
  });

  it('should reject malformed schedules with a message naming the part', () => {
    const cases: [string, RegExp][] = [
      ['Mon-Fri', /needs days and at least one time range/],
      ['Funday 09:00-17:00', /"Funday".*not a day/],
      ['Mon 9-17', /"9-17".*not a time range/],
      ['Mon 09:00-25:00', /invalid time/],
      ['Mon 09:60-10:00', /invalid time/],
      ['Mon 09:00-09:00', /empty/],
      [';', /no rules/],
    ];
    for (const [source, message] of cases) {
      assert.throws(
        () => BusinessHours.parse(source),
        (e: unknown) => e instanceof BusinessHoursSyntaxError && message.test(e.message),
        source,
      );
    }
    assert.throws(() => BusinessHours.parse('', { timeZone: 'Mars/Olympus' }), /not an IANA time zone/);
  });

  it('should agree with a brute-force weekly check for any single range (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 1, max: 1439 }),
        fc.integer({ min: 0, max: 7 * 1440 - 1 }),
        (day, start, length, probe) => {
          const names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
          const end = (start + length) % 1440;
          const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          const hours = BusinessHours.parse(`${names[day]} ${hhmm(start)}-${end === 0 ? '24:00' : hhmm(end)}`);
          const from = day * 1440 + start;
          const expected = (probe - from + 7 * 1440) % (7 * 1440) < length;
          // 2026-03-02T00:00Z is Monday 00:00 UTC.
          return hours.isOpen(at('2026-03-02T00:00:00Z') + probe * 60_000) === expected;
        },
      ),
      { numRuns: 300 },
    );
  });
});
