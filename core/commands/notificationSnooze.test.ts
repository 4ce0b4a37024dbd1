import { describe, expect, it } from 'vitest';
import { isAppError } from '../../contract/errors.js';
import { MAX_SNOOZE_MS, snoozeUntil, TOMORROW_HOUR } from './notificationSnooze.js';

const NOW = new Date(2026, 10, 23, 16, 42, 10).getTime(); // local time

describe('snoozeUntil', () => {
  it('an hour when nothing is said; minutes and hours as said', () => {
    expect(snoozeUntil({}, NOW)).toEqual({ untilMs: NOW + 3_600_000, phrase: 'for an hour' });
    expect(snoozeUntil({ minutes: 30 }, NOW)).toEqual({ untilMs: NOW + 1_800_000, phrase: 'for 30 minutes' });
    expect(snoozeUntil({ hours: 2 }, NOW)).toEqual({ untilMs: NOW + 7_200_000, phrase: 'for 2 hours' });
    expect(snoozeUntil({ hours: 1, minutes: 30 }, NOW)).toEqual({ untilMs: NOW + 5_400_000, phrase: 'for 90 minutes' });
  });

  it('tomorrow is 9:00 local time the next day, also across a month end', () => {
    const t = new Date(snoozeUntil({ until: 'tomorrow' }, NOW).untilMs);
    expect([t.getFullYear(), t.getMonth(), t.getDate(), t.getHours(), t.getMinutes()]).toEqual([2026, 10, 24, TOMORROW_HOUR, 0]);
    const endOfMonth = new Date(2026, 10, 30, 23, 50).getTime();
    const u = new Date(snoozeUntil({ until: 'tomorrow' }, endOfMonth).untilMs);
    expect([u.getMonth(), u.getDate(), u.getHours()]).toEqual([11, 1, TOMORROW_HOUR]);
  });

  it('refuses more than a week with a clear error', () => {
    expect(snoozeUntil({ hours: 24 * 7 }, NOW).untilMs).toBe(NOW + MAX_SNOOZE_MS);
    try {
      snoozeUntil({ hours: 24 * 7 + 1 }, NOW);
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('validation_failed');
      expect((e as Error).message).toMatch(/up to a week/);
    }
  });
});
