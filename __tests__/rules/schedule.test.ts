/** Schedule expressions as Secrets Manager parses them, and their real frequency. */
import { frequency, parseSchedule, windowHours } from '../../rules/schedule';

const freq = (e: string) => {
  const p = parseSchedule(e);
  if ('message' in p) throw new Error(p.message);
  return frequency(p);
};

describe('parseSchedule', () => {
  test.each([
    ['rate(4 hours)', 4, 4],
    ['rate(1 day)', 24, 24],
    ['rate(30 days)', 720, 720],
    ['cron(0 4 * * ? *)', 24, 24],
    ['cron(0 4/12 * * ? *)', 12, 12],
    ['cron(0 0/5 * * ? *)', 4, 5],
    ['cron(0 1,4,12 * * ? *)', 3, 13],
    ['cron(0 8-17 ? * MON-FRI *)', 1, 63],
    ['cron(0 4 ? * SUN *)', 168, 168],
    ['cron(0 4 ? * 2,4 *)', 48, 120],
    ['cron(0 4 1 * ? *)', 28 * 24, 31 * 24],
    ['cron(0 4 L * ? *)', 28 * 24, 31 * 24],
    ['cron(0 4 1 1,4,7,10 ? *)', 90 * 24, 92 * 24],
    ['cron(0 4 1 1 ? *)', 365 * 24, 366 * 24],
  ])('%s: shortest %d h, longest %d h between rotations', (e, min, max) => {
    const f = freq(e);
    expect([f.minHours, f.maxHours]).toEqual([min, max]);
  });

  test('a date that exists once in four years fires too rarely to measure', () => {
    expect(freq('cron(0 4 29 2 ? *)').maxHours).toBe(Infinity);
  });

  test('the third Tuesday and the nearest weekday to the 15th', () => {
    const f = freq('cron(0 4 ? * TUE#3 *)');
    expect(f.minHours).toBe(28 * 24);
    expect(f.maxHours).toBe(35 * 24);
    expect(freq('cron(0 4 15W * ? *)').maxHours).toBeLessThanOrEqual(33 * 24);
  });

  test.each([
    ['cron(30 4 ? * SUN *)', /minutes field/],
    ['cron(0 4 ? * SUN 2027)', /year field/],
    ['cron(0 4 1 * MON *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 4 ? * ? *)', /exactly one/],
    ['cron(0 4 * *)', /4 fields/],
    ['cron(0 24 * * ? *)', /outside 0-23/],
    ['cron(0 4 32 * ? *)', /outside 1-31/],
    ['cron(0 4 ? * FRI-MON *)', /backwards/],
    ['cron(0 4 ? * SUN#6 *)', /weekday#1-5/],
    ['rate(1 days)', /singular for 1/],
    ['rate(2 hour)', /plural otherwise/],
    ['rate(0 days)', /rate of 0/],
    ['rate(10 minutes)', /hour\(s\) or day\(s\)/],
    ['every day', /neither rate/],
  ])('%s is refused', (e, message) => {
    const p = parseSchedule(e);
    expect('message' in p && p.message).toMatch(message);
    expect('fix' in p && p.fix.length).toBeGreaterThan(5);
  });

  test('windows are whole hours from 1 to 24', () => {
    expect([windowHours('1h'), windowHours('24h'), windowHours('0h'), windowHours('25h'), windowHours('90m'), windowHours('3')]).toEqual([
      1,
      24,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('cron fields as AWS reads them', () => {
  test.each([
    ['cron(0 4 ? * 0 *)', /day-of-week field: "0" is outside 1-7/],
    ['cron(0 4 0 * ? *)', /day-of-month field: "0" is outside 1-31/],
    ['cron(0 20-25 * * ? *)', /hours field: "20-25" is outside 0-23/],
    ['cron(0 4 ? * MON-XYZ *)', /"MON-XYZ" is not a value of this field/],
    ['cron(0 4 ? * XYZ *)', /"XYZ" is not a value of this field/],
    ['cron(0 4/0 * * ? *)', /"4\/0" has an increment of 0/],
    ['cron(0 4,,5 * * ? *)', /"" is not a value, range, list or increment/],
    ['cron(0 a4 * * ? *)', /"a4" is not a value of this field/],
    ['cron(0 4x * * ? *)', /"4x" is not a value of this field/],
    ['cron(0 4-a * * ? *)', /"4-a" is not a value of this field/],
    ['cron(0 4 1 JAN-FOO ? *)', /month field: "JAN-FOO"/],
    ['cron(0 4 32W * ? *)', /"32W" is outside 1-31/],
    ['cron(0 4 ? * FOOL *)', /"FOOL" is not a day of the week/],
    ['cron(0 4 ? * 1-2-3 *)', /"1-2-3" is not a value, range, list or increment/],
    ['cron(0 */ * * ? *)', /"\*\/" is not a value, range, list or increment/],
  ])('%s is refused', (e, message) => {
    const p = parseSchedule(e);
    expect('message' in p ? p.message : 'accepted').toMatch(message);
  });

  test.each([
    ['cron(0 4 1 JAN-MAR ? *)', 28 * 24, 306 * 24],
    ['cron(0 0-12/6 * * ? *)', 6, 12],
    ['cron(0 4 1-31/10 * ? *)', 24, 10 * 24],
    ['cron(0 4 ? * MON#2 *)', 28 * 24, 35 * 24],
    ['cron(0 4 ? * L *)', 168, 168],
    ['cron(0 4 ? * 6L *)', 28 * 24, 35 * 24],
    ['cron(0 4 LW * ? *)', 28 * 24, 33 * 24],
    ['cron(0 4 1W * ? *)', 28 * 24, 33 * 24],
    ['cron(0 4 31W * ? *)', 28 * 24, 33 * 24],
    ['cron(0 4 ? * sun *)', 168, 168],
    ['cron(0 4 1 jan,jul ? *)', 181 * 24, 184 * 24],
    ['cron(0 4 15 */3 ? *)', 90 * 24, 92 * 24],
    ['cron(0 4 ? 2 MON *)', 168, (365 - 28 + 7 - 1) * 24],
  ])('%s: gaps of %d to %d hours', (e, min, max) => {
    const f = freq(e);
    expect([f.minHours, f.maxHours]).toEqual([min, max]);
  });

  test('the nearest weekday never leaves the month: 1W on a Saturday is Monday the 3rd', () => {
    const p = parseSchedule('cron(0 4 1W * ? *)');
    if ('message' in p || p.kind !== 'cron') throw new Error('parse');
    // 1 July 2028 is a Saturday.
    expect(p.matchesDay(new Date(Date.UTC(2028, 6, 3)))).toBe(true);
    expect(p.matchesDay(new Date(Date.UTC(2028, 5, 30)))).toBe(false);
    // 31W in a 30-day month: the 30th when it is a weekday (30 November 2028 is a Thursday).
    const q = parseSchedule('cron(0 4 31W * ? *)');
    if ('message' in q || q.kind !== 'cron') throw new Error('parse');
    expect(q.matchesDay(new Date(Date.UTC(2028, 10, 30)))).toBe(true);
  });

  test('hours, start hours and the kind of schedule', () => {
    expect(freq('cron(0 2,8,14,20 * * ? *)')).toEqual({ minHours: 6, maxHours: 6, startHours: [2, 8, 14, 20], inHours: true });
    expect(freq('cron(0 4 ? * SUN *)')).toEqual({ minHours: 168, maxHours: 168, startHours: [4], inHours: false });
    expect(freq('rate(12 hours)')).toEqual({ minHours: 12, maxHours: 12, startHours: [0], inHours: true });
    expect(freq('rate(7 days)')).toEqual({ minHours: 168, maxHours: 168, startHours: [0], inHours: false });
  });
});
