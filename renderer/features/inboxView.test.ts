import { describe, expect, it } from 'vitest';
import type { NotificationCard } from '../../contract/response.js';
import { inboxGroups, loadInboxFilters, NO_FILTERS, saveInboxFilters } from './inboxView.js';

const card = (position: number, repo: string, over: Partial<NotificationCard> = {}): NotificationCard =>
  ({
    kind: 'notification',
    position,
    thread_id: String(position),
    repo,
    title: `t${position}`,
    reason: 'mention',
    subject_type: 'Issue',
    number: position,
    unread: true,
    url: 'https://github.com/x/y',
    updated_at: '2026-01-01T00:00:00Z',
    ...over,
  }) as NotificationCard;

describe('inbox view model', () => {
  const items = [card(2, 'acme/web', { unread: false }), card(1, 'acme/api', { reason: 'review_requested', subject_type: 'PullRequest' }), card(3, 'acme/api')];

  it('groups by repo in inbox priority order, with counts', () => {
    const v = inboxGroups(items, NO_FILTERS);
    expect(v.groups.map((g) => [g.repo, g.items.map((i) => i.position), g.unread])).toEqual([
      ['acme/api', [1, 3], 2],
      ['acme/web', [2], 0],
    ]);
    expect([v.total, v.unread, v.shown]).toEqual([3, 2, 3]);
    expect(v.reasons).toEqual(['mention', 'review_requested']);
  });

  it('filters by reason, type, unread and text', () => {
    expect(inboxGroups(items, { ...NO_FILTERS, reason: 'review_requested' }).shown).toBe(1);
    expect(inboxGroups(items, { ...NO_FILTERS, type: 'Issue' }).shown).toBe(2);
    expect(inboxGroups(items, { ...NO_FILTERS, unreadOnly: true }).groups.map((g) => g.repo)).toEqual(['acme/api']);
    expect(inboxGroups(items, { ...NO_FILTERS, text: 'WEB' }).shown).toBe(1);
    expect(inboxGroups(items, { ...NO_FILTERS, text: '#3' }).shown).toBe(1);
  });

  it('persists filters and ignores corrupt saved values', () => {
    const mem = new Map<string, string>();
    const storage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v) };
    saveInboxFilters({ text: 'x', reason: 'mention', type: '', unreadOnly: true }, storage);
    expect(loadInboxFilters(storage)).toEqual({ text: 'x', reason: 'mention', type: '', unreadOnly: true });
    mem.set('hf.inbox.filters', '{not json');
    expect(loadInboxFilters(storage)).toEqual(NO_FILTERS);
    expect(loadInboxFilters(undefined)).toEqual(NO_FILTERS);
  });
});
