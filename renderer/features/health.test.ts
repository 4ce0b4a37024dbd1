import { describe, expect, it } from 'vitest';
import { agoText, lastErrorText } from './health.js';

const NOW = Date.UTC(2026, 11, 4, 18, 0, 0);
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('provider health text', () => {
  it('says how long ago', () => {
    expect(agoText(ago(1_000), NOW)).toBe('just now');
    expect(agoText(ago(42_000), NOW)).toBe('42 s ago');
    expect(agoText(ago(5 * 60_000 + 10), NOW)).toBe('5 min ago');
    expect(agoText(ago(3 * 3_600_000), NOW)).toBe('3 h ago');
    expect(agoText(ago(2 * 86_400_000), NOW)).toBe('2 d ago');
    expect(agoText(new Date(NOW + 10_000).toISOString(), NOW)).toBe('just now'); // a clock a little ahead
    expect(agoText('garbage', NOW)).toBe('at an unknown time');
  });

  it('shows the last error with when, or none', () => {
    expect(lastErrorText(null, NOW)).toBe('none since start');
    expect(lastErrorText(undefined, NOW)).toBe('none since start');
    expect(lastErrorText({ message: 'github_unavailable: GitHub answered 503', at: ago(120_000) }, NOW)).toMatch(/^github_unavailable: GitHub answered 503 \(2 min ago, \d\d:\d\d:\d\d( [AP]M)?\)$/);
  });
});
