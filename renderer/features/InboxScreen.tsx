import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { isAllowedExternalUrl } from '../../contract/linkPolicy.js';
import type { NotificationCard } from '../../contract/response.js';
import { useApp } from '../components/StoreContext.js';
import { uiAction } from './uiActions.js';

function age(iso: string): string {
  const ms = Date.now() - Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const h = Math.floor(ms / 3_600_000);
  return h >= 24 ? `${Math.floor(h / 24)} d ago` : h >= 1 ? `${h} h ago` : `${Math.max(1, Math.floor(ms / 60_000))} min ago`;
}

function InboxCard({ item, focused, takeFocus, onFocus }: { item: NotificationCard; focused: boolean; takeFocus: boolean; onFocus: () => void }) {
  const run = useApp((s) => s.runSteps);
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    // Only keyboard navigation moves focus; loading the inbox must not steal it.
    if (focused && takeFocus) ref.current?.focus();
  }, [focused, takeFocus]);
  return (
    <li ref={ref} className="card inbox-card" tabIndex={focused ? 0 : -1} data-testid="inbox-card" aria-label={`${item.subject_type} in ${item.repo}: ${item.title}`} onFocus={onFocus}>
      <div className="card-meta">
        <span className="badge">{item.subject_type}</span> <span className="repo">{item.repo}</span>
        {item.number !== null ? <span> #{item.number}</span> : null} · <span>{item.reason.replace(/_/g, ' ')}</span> · <time dateTime={item.updated_at}>{age(item.updated_at)}</time>
        {item.checks ? <span className={`checks checks-${item.checks}`}> · checks {item.checks}</span> : null}
        {item.review ? <span> · review {item.review}</span> : null}
        {item.unread ? <span className="unread"> · unread</span> : null}
      </div>
      <h3 className="card-title" data-testid="inbox-title">{item.title}</h3>
      <div className="card-actions">
        <button type="button" data-action="inbox.read" onClick={() => void run(uiAction('inbox.read').text({ position: item.position }))}>Read aloud</button>
        <button type="button" data-action="notification.open" disabled={!isAllowedExternalUrl(item.url)} onClick={() => void run(uiAction('notification.open').text({ position: item.position }))}>Open on GitHub</button>
        <button type="button" data-action="notification.done" onClick={() => void run(uiAction('notification.done').text({ position: item.position }))}>Mark done</button>
        <button type="button" data-action="notification.unsubscribe" onClick={() => void run(uiAction('notification.unsubscribe').text({ position: item.position }))}>Unsubscribe</button>
        {item.subject_type === 'Issue' && item.number !== null ? (
          <button type="button" data-action="agent.delegate" onClick={() => void run(uiAction('agent.delegate').text({ repo: item.repo, number: item.number! }))}>Delegate to agent</button>
        ) : null}
        {item.subject_type === 'PullRequest' && item.number !== null ? (
          <button type="button" data-action="pr.summarize" onClick={() => void run(uiAction('pr.summarize').text({ repo: item.repo, number: item.number! }))}>Summarize PR</button>
        ) : null}
      </div>
    </li>
  );
}

export function InboxScreen() {
  const inbox = useApp((s) => s.inbox);
  const loaded = useApp((s) => s.inboxLoaded);
  const error = useApp((s) => s.inboxError);
  const load = useApp((s) => s.loadInbox);
  const run = useApp((s) => s.runSteps);
  const [cursor, setCursor] = useState(0);
  const [keyNav, setKeyNav] = useState(false);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'j') setCursor((c) => Math.min(inbox.length - 1, c + 1));
    else if (e.key === 'ArrowUp' || e.key === 'k') setCursor((c) => Math.max(0, c - 1));
    else return;
    setKeyNav(true);
    e.preventDefault();
  };
  return (
    <section aria-labelledby="inbox-h">
      <h2 id="inbox-h">Inbox</h2>
      <div className="toolbar">
        <button type="button" onClick={() => void load()}>Reload</button>
        <button type="button" data-action="inbox.refresh" onClick={() => void run(uiAction('inbox.refresh').text({}))}>Summarize inbox</button>
        <button type="button" data-action="inbox.next" onClick={() => void run(uiAction('inbox.next').text({}))}>Next notification</button>
      </div>
      {!loaded ? <p role="status">Loading inbox…</p> : null}
      {error ? <p role="alert" className="error">{error}</p> : null}
      {loaded && inbox.length === 0 && !error ? <p>Nothing needs your attention.</p> : null}
      <ul className="cards" aria-label="Notifications (arrow keys move between cards)" onKeyDown={onKey}>
        {inbox.map((item, i) => (
          <InboxCard key={item.thread_id} item={item} focused={i === cursor} takeFocus={keyNav} onFocus={() => setCursor(i)} />
        ))}
      </ul>
    </section>
  );
}
