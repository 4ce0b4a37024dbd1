/**
 * The Inbox screen's view model, pure: notifications grouped by repo (in inbox priority order),
 * filtered by reason, type, unread and text, with counts. Filters persist in localStorage.
 */
import type { NotificationCard } from '../../contract/response.js';

export interface InboxFilters {
  text: string;
  reason: string;
  type: string;
  unreadOnly: boolean;
}

export interface InboxGroup {
  repo: string;
  items: NotificationCard[];
  unread: number;
}

export interface InboxView {
  groups: InboxGroup[];
  total: number;
  unread: number;
  shown: number;
  /** Every reason and type present (before filtering), for the filter menus. */
  reasons: string[];
  types: string[];
}

export const NO_FILTERS: InboxFilters = { text: '', reason: '', type: '', unreadOnly: false };
const KEY = 'hf.inbox.filters';

export function inboxGroups(items: readonly NotificationCard[], f: InboxFilters): InboxView {
  const text = f.text.trim().toLowerCase();
  const keep = (n: NotificationCard): boolean =>
    (f.reason === '' || n.reason === f.reason) &&
    (f.type === '' || n.subject_type === f.type) &&
    (!f.unreadOnly || n.unread) &&
    (text === '' || n.title.toLowerCase().includes(text) || n.repo.toLowerCase().includes(text) || (n.number !== null && `#${n.number}` === text));
  const byRepo = new Map<string, InboxGroup>();
  let shown = 0;
  for (const n of [...items].sort((a, b) => a.position - b.position)) {
    if (!keep(n)) continue;
    shown++;
    let g = byRepo.get(n.repo);
    if (!g) byRepo.set(n.repo, (g = { repo: n.repo, items: [], unread: 0 }));
    g.items.push(n);
    if (n.unread) g.unread++;
  }
  return {
    groups: [...byRepo.values()],
    total: items.length,
    unread: items.filter((n) => n.unread).length,
    shown,
    reasons: [...new Set(items.map((n) => n.reason))].sort(),
    types: [...new Set(items.map((n) => n.subject_type))].sort(),
  };
}

/** Saved filters, or none; a corrupt or foreign value is ignored, never thrown. */
export function loadInboxFilters(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): InboxFilters {
  try {
    const raw: unknown = JSON.parse(storage?.getItem(KEY) ?? 'null');
    if (raw === null || typeof raw !== 'object') return NO_FILTERS;
    const r = raw as Record<string, unknown>;
    const str = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 200) : '');
    return { text: str(r['text']), reason: str(r['reason']), type: str(r['type']), unreadOnly: r['unreadOnly'] === true };
  } catch {
    return NO_FILTERS;
  }
}

export function saveInboxFilters(f: InboxFilters, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(KEY, JSON.stringify(f));
  } catch {
    // Storage full or disabled: filters just do not persist.
  }
}
