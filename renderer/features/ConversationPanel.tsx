import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../components/StoreContext.js';
import type { StageTimings, Turn } from '../store/types.js';
import { CardView } from './CardView.js';

const STAGES: ReadonlyArray<{ key: keyof StageTimings; label: string }> = [
  { key: 'capture', label: 'capture' },
  { key: 'stt', label: 'speech-to-text' },
  { key: 'intent', label: 'intent' },
  { key: 'github', label: 'GitHub' },
  { key: 'tts', label: 'speech' },
];
const CLASS: Record<keyof StageTimings, string> = { capture: 't-capture', stt: 't-stt', intent: 't-intent', github: 't-github', tts: 't-tts' };

const ms = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

/** A stacked bar of where the turn's time went, with the figures as text for screen readers. */
function TimingBar({ timings }: { timings: StageTimings }) {
  const parts = STAGES.flatMap((s) => (timings[s.key] !== undefined ? [{ ...s, v: timings[s.key] as number }] : []));
  const total = parts.reduce((a, p) => a + p.v, 0);
  const text = parts.map((p) => `${p.label} ${ms(p.v)}`).join(', ');
  return (
    <div data-testid="turn-timing" data-total-ms={Math.round(total)}>
      <div className="timing" role="img" aria-label={`Timing: ${text}`}>
        {parts.map((p) => (
          <span key={p.key} className={CLASS[p.key]} style={{ width: `${total > 0 ? Math.max(2, (p.v / total) * 100) : 0}%` }} title={`${p.label}: ${ms(p.v)}`} />
        ))}
      </div>
      <p className="muted small">{text} · total {ms(total)}</p>
    </div>
  );
}

function TurnView({ turn }: { turn: Turn }) {
  const { replayTurn, replay } = useApp(useShallow((s) => ({ replayTurn: s.replayTurn, replay: s.replay })));
  const r = turn.response;
  return (
    <li className="turn" data-testid="turn" data-source={turn.source} data-intent={r.intent.name}>
      <p className="said">
        <span className="badge">{turn.source === 'voice' ? 'heard' : 'typed'}</span> “{turn.heard}”
      </p>
      <p className="reply" data-testid="turn-reply">{r.spoken_text}</p>
      <p className="muted small">
        intent <code>{r.intent.name}</code> · {r.status} · {new Date(turn.atMs).toLocaleTimeString()}
      </p>
      <TimingBar timings={turn.timings} />
      {r.cards.filter((c) => c.kind !== 'confirmation').map((c, i) => <CardView key={i} card={c} />)}
      <div className="card-actions">
        <button type="button" aria-label={`Replay the reply to “${turn.heard}”`} disabled={r.spoken_text.trim() === ''} onClick={() => void replayTurn(turn.id)}>Replay</button>
        {replay?.turnId === turn.id ? <audio controls autoPlay src={replay.url} aria-label="Replayed reply" /> : null}
      </div>
    </li>
  );
}

/** Every turn of the conversation, typed or spoken, newest first. */
export function ConversationPanel() {
  const turns = useApp((s) => s.turns);
  const error = useApp((s) => s.replayError);
  return (
    <section aria-labelledby="conv-h" className="conversation">
      <h3 id="conv-h">Conversation</h3>
      {error ? <p role="alert" className="error">{error}</p> : null}
      {turns.length === 0 ? <p className="muted">Nothing yet: type a command, or hold to talk.</p> : null}
      <ol className="turns" data-testid="conversation">
        {turns.map((t) => <TurnView key={t.id} turn={t} />)}
      </ol>
    </section>
  );
}
