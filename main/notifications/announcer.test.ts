import { describe, expect, it } from 'vitest';
import { batchSentence, inQuietHours } from './announcer.js';
import type { StoredNotification } from './notificationStore.js';

const n = (over: Partial<StoredNotification>): StoredNotification => ({
  userId: 'u', threadId: '1', repo: 'acme/api', subjectType: 'PullRequest', title: 'Fix login', url: null, number: 12, reason: 'review_requested',
  unread: true, updatedAtMs: 1, firstSeenAtMs: 1, lastSeenAtMs: 1, announcedAtMs: null, source: 'poll', ...over,
});

describe('quiet hours', () => {
  it('handles windows inside a day and across midnight; equal bounds mean none', () => {
    const night = { startMin: 22 * 60, endMin: 7 * 60 };
    expect(inQuietHours(night, 23 * 60)).toBe(true);
    expect(inQuietHours(night, 3 * 60)).toBe(true);
    expect(inQuietHours(night, 7 * 60)).toBe(false);
    expect(inQuietHours(night, 12 * 60)).toBe(false);
    const lunch = { startMin: 12 * 60, endMin: 13 * 60 };
    expect(inQuietHours(lunch, 12 * 60 + 30)).toBe(true);
    expect(inQuietHours(lunch, 13 * 60)).toBe(false);
    expect(inQuietHours({ startMin: 5, endMin: 5 }, 5)).toBe(false);
    expect(inQuietHours(null, 5)).toBe(false);
  });
});

describe('batch sentences', () => {
  it('groups like the product example: review requests first, then CI', () => {
    const text = batchSentence(
      [
        n({ threadId: '3', subjectType: 'CheckSuite', reason: 'ci_activity', title: 'CI run failed', number: 12, repo: 'acme/web' }),
        n({ threadId: '1', number: 12 }),
        n({ threadId: '2', number: 15 }),
      ],
      60,
    );
    expect(text).toBe('Three new: two review requests in acme/api, CI failed on PR 12.');
  });

  it('a single item names its subject and a sanitised title', () => {
    expect(batchSentence([n({ title: 'Fix\u200b login' })], 60)).toBe("New: review request on PR 12 in acme/api, 'Fix login'.");
  });
});
