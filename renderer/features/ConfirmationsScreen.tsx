import { useEffect, useState } from 'react';
import { useApp } from '../components/StoreContext.js';
import type { ConfirmationEntry } from '../store/store.js';

const OUTCOME_TEXT: Record<string, string> = { merged: 'Merged', head_moved: 'Head moved — not merged', expired: 'Expired', token_expired: 'Expired', cancelled: 'Cancelled', failed: 'Failed' };

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

function ConfirmationCardView({ entry }: { entry: ConfirmationEntry }) {
  const confirm = useApp((s) => s.confirm);
  const cancel = useApp((s) => s.cancel);
  const pending = entry.state === 'pending';
  const now = useNow(pending);
  const leftS = Math.max(0, Math.ceil((entry.deadlineMs - now) / 1000));
  const expired = entry.state === 'expired' || (pending && leftS === 0);
  const state = expired ? 'expired' : entry.state;
  const canAct = pending && !expired && !entry.busy;
  const { action } = entry;
  return (
    <article
      className={`card confirmation state-${state}`}
      data-testid="confirmation-card"
      data-state={state}
      aria-label={`Confirm: ${action.summary}`}
      tabIndex={0}
      onKeyDown={(e) => {
        if (!canAct || e.target !== e.currentTarget) return;
        if (e.key === 'Enter') void confirm(action.token);
        if (e.key === 'Escape') void cancel(action.token);
      }}
    >
      <p className="readback" data-testid="readback">{action.summary}</p>
      <p className="card-meta">
        {action.repo}
        {action.number !== null ? ` #${action.number}` : ''} · head <code>{action.head_sha?.slice(0, 7) ?? '—'}</code>
      </p>
      {pending && !expired ? (
        <p className="countdown" data-testid="countdown" aria-live="off">
          Expires in <span data-testid="countdown-seconds">{leftS}</span> s
        </p>
      ) : null}
      {!pending || expired ? (
        <p className="outcome" data-testid="outcome" role="status">
          {OUTCOME_TEXT[expired ? 'expired' : (entry.outcome ?? state)] ?? entry.outcome ?? state}
          {entry.message ? ` — ${entry.message}` : ''}
        </p>
      ) : null}
      <div className="card-actions">
        <button type="button" className="primary" data-action="system.confirm" disabled={!canAct} onClick={() => void confirm(action.token)} aria-keyshortcuts="Enter">
          Confirm
        </button>
        <button type="button" data-action="system.cancel" disabled={!canAct} onClick={() => void cancel(action.token)} aria-keyshortcuts="Escape">
          Cancel
        </button>
      </div>
    </article>
  );
}

export function ConfirmationsScreen() {
  const confirmations = useApp((s) => s.confirmations);
  const list = Object.values(confirmations).reverse();
  return (
    <section aria-labelledby="conf-h">
      <h2 id="conf-h">Confirmations</h2>
      {list.length === 0 ? <p>No actions are waiting for confirmation.</p> : null}
      {list.map((e) => (
        <ConfirmationCardView key={e.action.token} entry={e} />
      ))}
    </section>
  );
}
