import {
  AlertIcon,
  CommentDiscussionIcon,
  GitCommitIcon,
  GitPullRequestIcon,
  IssueOpenedIcon,
  KebabHorizontalIcon,
  MegaphoneIcon,
  ShieldIcon,
  TagIcon,
  type Icon,
} from '@primer/octicons-react';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { isAllowedExternalUrl } from '../../contract/linkPolicy.js';
import type { NotificationCard } from '../../contract/response.js';
import { useApp } from '../components/StoreContext.js';
import { inboxGroups, loadInboxFilters, saveInboxFilters, type InboxFilters } from './inboxView.js';
import { uiAction } from './uiActions.js';

function age(iso: string): string {
  const ms = Date.now() - Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const h = Math.floor(ms / 3_600_000);
  return h >= 24 ? `${Math.floor(h / 24)} d ago` : h >= 1 ? `${h} h ago` : `${Math.max(1, Math.floor(ms / 60_000))} min ago`;
}

/** Octicons bundled with the app (never fetched), one per GitHub subject type. */
const TYPE_ICONS: Record<string, Icon> = {
  PullRequest: GitPullRequestIcon,
  Issue: IssueOpenedIcon,
  Commit: GitCommitIcon,
  Release: TagIcon,
  Discussion: CommentDiscussionIcon,
  CheckSuite: AlertIcon,
  RepositoryVulnerabilityAlert: ShieldIcon,
  RepositoryDependabotAlertsThread: ShieldIcon,
};

const label = (s: string): string => s.replace(/_/g, ' ');

type ItemAction = 'inbox.read' | 'notification.open' | 'notification.done' | 'notification.unsubscribe' | 'agent.delegate' | 'pr.summarize' | 'notification.snooze';

function stepsFor(action: ItemAction, item: NotificationCard): string[] {
  if (action === 'agent.delegate' || action === 'pr.summarize') return uiAction(action).text({ repo: item.repo, number: item.number ?? 0 });
  return uiAction(action).text({ position: item.position });
}

/** The overflow menu: one button per card instead of five, opened by click or the Menu key. */
function ItemMenu({ item, onAction }: { item: NotificationCard; onAction: (a: ItemAction) => void }) {
  const [open, setOpen] = useState(false);
  const menuRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open) menuRef.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [open]);
  const entries: Array<{ id: ItemAction; text: string; disabled?: boolean }> = [
    { id: 'notification.open', text: 'Open on GitHub', disabled: !isAllowedExternalUrl(item.url) },
    { id: 'notification.done', text: 'Mark done' },
    { id: 'notification.unsubscribe', text: 'Unsubscribe' },
    { id: 'notification.snooze', text: 'Snooze 1 h' },
  ];
  if (item.subject_type === 'PullRequest' && item.number !== null) entries.push({ id: 'pr.summarize', text: 'Summarize PR' });
  if (item.subject_type === 'Issue' && item.number !== null) entries.push({ id: 'agent.delegate', text: 'Delegate to agent' });
  const onMenuKey = (e: KeyboardEvent) => {
    e.stopPropagation(); // j/k/d/o belong to the list, not to an open menu
    const buttons = [...(menuRef.current?.querySelectorAll<HTMLButtonElement>('button:not(:disabled)') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') setOpen(false);
    else if (e.key === 'ArrowDown') buttons[(at + 1) % buttons.length]?.focus();
    else if (e.key === 'ArrowUp') buttons[(at - 1 + buttons.length) % buttons.length]?.focus();
    else return;
    e.preventDefault();
  };
  return (
    <div className="menu-wrap">
      <button type="button" className="icon-button" aria-haspopup="menu" aria-expanded={open} aria-label={`More actions for ${item.title}`} onClick={() => setOpen((o) => !o)}>
        <KebabHorizontalIcon aria-hidden="true" />
      </button>
      {open ? (
        <div className="menu" role="menu" ref={menuRef} onKeyDown={onMenuKey} onBlur={(e) => !e.currentTarget.contains(e.relatedTarget as Node | null) && setOpen(false)}>
          {entries.map((m) => (
            <button
              key={m.id}
              type="button"
              role="menuitem"
              data-action={m.id}
              disabled={m.disabled}
              onClick={() => {
                setOpen(false);
                onAction(m.id);
              }}
            >
              {m.text}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}

function InboxCard({ item, focused, takeFocus, onFocus }: { item: NotificationCard; focused: boolean; takeFocus: boolean; onFocus: () => void }) {
  const run = useApp((s) => s.runSteps);
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    // Only keyboard navigation moves focus; loading the inbox must not steal it.
    if (focused && takeFocus) ref.current?.focus();
  }, [focused, takeFocus]);
  const TypeIcon = TYPE_ICONS[item.subject_type] ?? MegaphoneIcon;
  const act = (a: ItemAction) => void run(stepsFor(a, item));
  return (
    <li
      ref={ref}
      className={`card inbox-card${item.unread ? ' is-unread' : ''}`}
      tabIndex={focused ? 0 : -1}
      data-testid="inbox-card"
      data-thread={item.thread_id}
      aria-label={`${item.unread ? 'Unread ' : ''}${label(item.subject_type)} in ${item.repo}: ${item.title}`}
      onFocus={onFocus}
    >
      <span className="type-icon" title={label(item.subject_type)}>
        <TypeIcon aria-hidden="true" size={20} />
      </span>
      <div className="inbox-body">
        <h3 className="card-title" data-testid="inbox-title">
          {item.unread ? <span className="unread-dot" aria-hidden="true" /> : null}
          {item.title}
        </h3>
        <div className="card-meta">
          {item.number !== null ? <span>#{item.number}</span> : null}
          <span className="pill pill-reason">{label(item.reason)}</span>
          {item.checks ? <span className={`pill pill-checks-${item.checks}`} data-testid="checks-pill">checks {item.checks}</span> : null}
          {item.review && item.review !== 'none' ? <span className={`pill pill-review-${item.review}`} data-testid="review-pill">{label(item.review)}</span> : null}
          <time dateTime={item.updated_at}>{age(item.updated_at)}</time>
        </div>
      </div>
      <div className="card-actions">
        <button type="button" data-action="inbox.read" onClick={() => act('inbox.read')}>Read aloud</button>
        <ItemMenu item={item} onAction={act} />
      </div>
    </li>
  );
}

export function InboxScreen() {
  const { inbox, loaded, error, load, run } = useApp(useShallow((s) => ({ inbox: s.inbox, loaded: s.inboxLoaded, error: s.inboxError, load: s.loadInbox, run: s.runSteps })));
  const [filters, setFilters] = useState<InboxFilters>(() => loadInboxFilters());
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [cursor, setCursor] = useState(0);
  const [keyNav, setKeyNav] = useState(false);
  const filterRef = useRef<HTMLInputElement>(null);
  useEffect(() => saveInboxFilters(filters), [filters]);
  const view = useMemo(() => inboxGroups(inbox, filters), [inbox, filters]);
  // Keyboard order: the visible cards of expanded groups, top to bottom.
  const visible = useMemo(() => view.groups.flatMap((g) => (collapsed.has(g.repo) ? [] : g.items)), [view, collapsed]);
  const current = visible[Math.min(cursor, visible.length - 1)];
  const onKey = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).closest('input, select, [role=menu]')) return;
    const act = (a: ItemAction) => current && void run(stepsFor(a, current));
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        setCursor((c) => Math.min(visible.length - 1, c + 1));
        setKeyNav(true);
        break;
      case 'ArrowUp':
      case 'k':
        setCursor((c) => Math.max(0, c - 1));
        setKeyNav(true);
        break;
      case 'Enter':
        if ((e.target as HTMLElement).tagName === 'BUTTON') return;
        act('inbox.read');
        break;
      case 'd':
        act('notification.done');
        break;
      case 'o':
        if (current && isAllowedExternalUrl(current.url)) act('notification.open');
        break;
      default:
        return;
    }
    e.preventDefault();
  };
  const onScreenKey = (e: KeyboardEvent) => {
    if (e.key === '/' && !(e.target as HTMLElement).closest('input, select')) {
      e.preventDefault();
      filterRef.current?.focus();
    }
  };
  const toggle = (repo: string) =>
    setCollapsed((c) => {
      const n = new Set(c);
      if (n.has(repo)) n.delete(repo);
      else n.add(repo);
      return n;
    });
  return (
    <section aria-labelledby="inbox-h" onKeyDown={onScreenKey}>
      <div className="screen-head">
        <h2 id="inbox-h">Inbox</h2>
        <p className="muted" data-testid="inbox-counts">
          {view.total} notifications · <strong>{view.unread} unread</strong>
          {view.shown !== view.total ? ` · ${view.shown} shown` : ''}
        </p>
      </div>
      <div className="toolbar">
        <button type="button" onClick={() => void load()}>Reload</button>
        <button type="button" data-action="inbox.refresh" onClick={() => void run(uiAction('inbox.refresh').text({}))}>Summarize inbox</button>
        <button type="button" data-action="inbox.next" onClick={() => void run(uiAction('inbox.next').text({}))}>Next notification</button>
        {/* focus commands (issue 15): the spoken commands, as buttons */}
        {(['inbox.my_prs', 'inbox.review_requests', 'inbox.mark_all_read'] as const).map((id) => (
          <button type="button" key={id} data-action={id} onClick={() => void run(uiAction(id).text({}))}>{uiAction(id).label}</button>
        ))}
      </div>
      <div className="filters" role="search">
        <label>
          <span>Filter</span>
          <input ref={filterRef} type="search" placeholder="title or repo ( / )" value={filters.text} onChange={(e) => setFilters({ ...filters, text: e.target.value })} data-testid="inbox-filter" />
        </label>
        <label>
          <span>Reason</span>
          <select value={filters.reason} onChange={(e) => setFilters({ ...filters, reason: e.target.value })} data-testid="inbox-reason">
            <option value="">all reasons</option>
            {view.reasons.map((r) => <option key={r} value={r}>{label(r)}</option>)}
          </select>
        </label>
        <label>
          <span>Type</span>
          <select value={filters.type} onChange={(e) => setFilters({ ...filters, type: e.target.value })} data-testid="inbox-type">
            <option value="">all types</option>
            {view.types.map((t) => <option key={t} value={t}>{label(t)}</option>)}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={filters.unreadOnly} onChange={(e) => setFilters({ ...filters, unreadOnly: e.target.checked })} /> Unread only
        </label>
      </div>
      <p className="muted small">Keys: j/k move, Enter reads aloud, d marks done, o opens on GitHub, / filters.</p>
      {!loaded ? <p role="status">Loading inbox…</p> : null}
      {error ? <p role="alert" className="error">{error}</p> : null}
      {loaded && inbox.length === 0 && !error ? <p>Nothing needs your attention.</p> : null}
      {loaded && inbox.length > 0 && view.shown === 0 ? <p role="status">No notification matches these filters.</p> : null}
      <div onKeyDown={onKey}>
        {view.groups.map((g) => {
          const open = !collapsed.has(g.repo);
          const listId = `group-${g.repo.replace(/[^A-Za-z0-9]/g, '-')}`;
          return (
            <section key={g.repo} className="inbox-group" data-testid="inbox-group" data-repo={g.repo}>
              <h3 className="group-head">
                <button type="button" aria-expanded={open} aria-controls={listId} onClick={() => toggle(g.repo)}>
                  <span aria-hidden="true">{open ? '▾' : '▸'}</span> {g.repo}
                  <span className="count" data-testid="group-count">{g.items.length}</span>
                  {g.unread > 0 ? <span className="count unread-count">{g.unread} unread</span> : null}
                </button>
                {/* session.use_repo (issue 15): PR numbers said without a repo then mean this one */}
                <button type="button" className="group-use" data-action="session.use_repo" onClick={() => void run(uiAction('session.use_repo').text({ repo: g.repo }))}>
                  {uiAction('session.use_repo').label}
                </button>
              </h3>
              {open ? (
                <ul className="cards" id={listId} aria-label={`${g.repo} notifications (j/k or arrow keys move between cards)`}>
                  {g.items.map((item) => (
                    <InboxCard key={item.thread_id} item={item} focused={item === current} takeFocus={keyNav} onFocus={() => setCursor(visible.indexOf(item))} />
                  ))}
                </ul>
              ) : null}
            </section>
          );
        })}
      </div>
    </section>
  );
}
