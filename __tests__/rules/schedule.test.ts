/** Schedule expressions as Secrets Manager parses them, and their real frequency. */
import { frequency, parseSchedule, windowHours } from '../../stacks/rules/schedule';

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
    expect([windowHours('1h'), windowHours('24h'), windowHours('0h'), windowHours('25h'), windowHours('90m'), windowHours('3')]).toEqual([1, 24, undefined, undefined, undefined, undefined]);
  });
});
