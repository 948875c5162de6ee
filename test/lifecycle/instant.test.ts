/**
 * Polar's date-times as microseconds: every format it sends reads as the same instant, finer than
 * a `Date` can tell, and back.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoOfMicroseconds, microsecondsOf } from '../../src/lifecycle/instant';

describe('microsecondsOf', () => {
  it('reads the formats Polar sends as one instant', () => {
    const expected = Date.UTC(2026, 8, 21, 14, 13, 19, 816) * 1000 + 549;
    expect(microsecondsOf('2026-09-21T14:13:19.816549Z')).toBe(expected);
    expect(microsecondsOf('2026-09-21T14:13:19.816549+00:00')).toBe(expected);
    expect(microsecondsOf('2026-09-21T16:13:19.816549+02:00')).toBe(expected);
    expect(microsecondsOf('2026-09-21T14:13:19.816549')).toBe(expected);
    expect(microsecondsOf('2026-09-21T14:13:19.816Z')).toBe(expected - 549);
    expect(microsecondsOf('2026-09-21T14:13:19Z')).toBe(expected - 816_549);
    expect(microsecondsOf('2026-09-21T14:13:19.816549123Z')).toBe(expected);
  });

  it('tells apart two instants in one millisecond, which a Date cannot', () => {
    const a = microsecondsOf('2026-10-02T09:52:41.498770Z') as number;
    const b = microsecondsOf('2026-10-02T09:52:41.498771+00:00') as number;
    expect(b - a).toBe(1);
    expect(new Date('2026-10-02T09:52:41.498770Z').getTime()).toBe(new Date('2026-10-02T09:52:41.498771Z').getTime());
  });

  it('answers undefined for anything that is not an ISO 8601 date-time', () => {
    for (const value of [undefined, null, 0, '', '2026-09-21', 'yesterday', '2026-13-45T99:99:99Z', {}]) {
      expect(microsecondsOf(value)).toBeUndefined();
    }
  });

  it('agrees with Date to the millisecond and keeps the microseconds, both ways', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2200, 0, 1) }),
        fc.integer({ min: 0, max: 999 }),
        (ms, micro) => {
          const iso = new Date(ms).toISOString().replace('Z', `${String(micro).padStart(3, '0')}Z`);
          const us = microsecondsOf(iso) as number;
          expect(Math.floor(us / 1000)).toBe(ms);
          expect(us % 1000).toBe(micro);
          expect(isoOfMicroseconds(us)).toBe(iso);
          expect(Number.isSafeInteger(us)).toBe(true);
        },
      ),
    );
  });
});
