import { useState } from 'react';
import type { Card } from '../../contract/response.js';
import { useApp } from '../components/StoreContext.js';
import { uiAction } from './uiActions.js';

function PrCard({ card }: { card: Extract<Card, { kind: 'pull_request' }> }) {
  const run = useApp((s) => s.runSteps);
  const [reviewer, setReviewer] = useState('');
  const [comment, setComment] = useState('');
  const pr = { repo: card.repo, number: card.number };
  return (
    <div className="card" data-testid="pr-card">
      <p className="card-meta">{card.repo} #{card.number} · {card.author} · checks {card.checks.state} · {card.mergeable_state}</p>
      <h3 className="card-title">{card.title}</h3>
      <div className="card-actions">
        <button type="button" data-action="pr.checks" onClick={() => void run(uiAction('pr.checks').text(pr))}>Checks</button>
        <button type="button" data-action="pr.merge" onClick={() => void run(uiAction('pr.merge').text(pr))}>Merge…</button>
        <button type="button" data-action="pr.approve" onClick={() => void run(uiAction('pr.approve').text(pr))}>Approve…</button>
      </div>
      {/* issue 15, CI and PR depth (c15) */}
      <div className="card-actions">
        <button type="button" data-action="pr.diff_summary" onClick={() => void run(uiAction('pr.diff_summary').text(pr))}>What changed</button>
        <button type="button" data-action="pr.comments" onClick={() => void run(uiAction('pr.comments').text(pr))}>Comments</button>
        <button type="button" data-action="pr.checks_failure" onClick={() => void run(uiAction('pr.checks_failure').text(pr))}>Why failing</button>
        <button type="button" data-action="pr.rerun_checks" onClick={() => void run(uiAction('pr.rerun_checks').text(pr))}>Rerun failed…</button>
      </div>
      <div className="card-actions">
        <input aria-label="Reviewer login" value={reviewer} onChange={(e) => setReviewer(e.target.value)} placeholder="reviewer" />
        <button type="button" data-action="pr.request_review" disabled={reviewer.trim() === ''} onClick={() => void run(uiAction('pr.request_review').text({ ...pr, extra: reviewer.trim() }))}>Request review</button>
        <input aria-label="Comment text" value={comment} onChange={(e) => setComment(e.target.value)} placeholder="comment" />
        <button type="button" data-action="pr.comment" disabled={comment.trim() === ''} onClick={() => void run(uiAction('pr.comment').text({ ...pr, extra: comment.trim() }))}>Comment</button>
        <button type="button" data-action="pr.request_changes" disabled={comment.trim() === ''} onClick={() => void run(uiAction('pr.request_changes').text({ ...pr, extra: comment.trim() }))}>Request changes…</button>
      </div>
    </div>
  );
}

export function CardView({ card }: { card: Card }) {
  switch (card.kind) {
    case 'pull_request':
      return <PrCard card={card} />;
    case 'notification':
      return (
        <div className="card">
          <p className="card-meta">{card.repo} · {card.reason}</p>
          <h3 className="card-title">{card.title}</h3>
        </div>
      );
    case 'help':
      return <ul className="card">{card.examples.map((e) => <li key={e}>“{e}”</li>)}</ul>;
    default:
      return null;
  }
}

