import { useEffect, useState, type FormEvent, type KeyboardEvent } from 'react';
import { PROFILE_NAMES } from '../../contract/intent.js';
import { useApp } from '../components/StoreContext.js';
import { voiceStatusLine } from '../store/voiceSlice.js';
import { CardView } from './CardView.js';
import { ConfirmationsScreen } from './ConfirmationsScreen.js';
import { ConversationPanel } from './ConversationPanel.js';
import { uiAction } from './uiActions.js';

/** Hold to talk (pointer or Space/Enter held); the host's voice loop listens while held. */
function PushToTalk() {
  const voice = useApp((s) => s.voice);
  const held = useApp((s) => s.pttHeld);
  const event = useApp((s) => s.voiceEvent);
  const heard = useApp((s) => s.voiceHeard);
  const error = useApp((s) => s.voiceError);
  const ptt = useApp((s) => s.pushToTalk);
  const load = useApp((s) => s.loadVoice);
  useEffect(() => {
    void load();
  }, [load]);
  const unavailable = voice !== null && voice.state === 'unavailable';
  const key = (pressed: boolean) => (e: KeyboardEvent) => {
    if (e.key !== ' ' && e.key !== 'Enter') return;
    e.preventDefault();
    if (pressed && e.repeat) return;
    void ptt(pressed);
  };
  return (
    <>
      <button
        type="button"
        data-action="voice.ptt"
        data-testid="ptt"
        aria-pressed={held}
        disabled={unavailable}
        title={unavailable ? (voice?.reason ?? 'Voice is not available') : 'Hold to talk (or hold Space)'}
        onPointerDown={(e) => {
          void ptt(true);
          try {
            e.currentTarget.setPointerCapture(e.pointerId); // the release still arrives if the pointer slides off
          } catch {
            // not a real pointer (synthetic event): nothing to capture
          }
        }}
        onPointerUp={() => void ptt(false)}
        onPointerCancel={() => void ptt(false)}
        onKeyDown={key(true)}
        onKeyUp={key(false)}
      >
        {held ? 'Listening… release to send' : 'Hold to talk'}
      </button>
      <span className="voice-state" data-testid="voice-state" role="status">
        {voiceStatusLine({ voice, voiceEvent: event, voiceHeard: heard, voiceError: error })}
      </span>
    </>
  );
}

export function CommandScreen() {
  const [text, setText] = useState('');
  const run = useApp((s) => s.runCommand);
  const runSteps = useApp((s) => s.runSteps);
  const pipeline = useApp((s) => s.pipeline);
  const last = useApp((s) => s.lastResponse);
  const error = useApp((s) => s.commandError);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim() === '') return;
    void run(text.trim());
  };
  return (
    <section aria-labelledby="cmd-h">
      <h2 id="cmd-h">Command</h2>
      <form onSubmit={submit} className="command-form">
        <label htmlFor="command-input">Say or type a command</label>
        <div className="row">
          <input id="command-input" data-testid="command-input" value={text} onChange={(e) => setText(e.target.value)} placeholder="merge PR 12 in acme/api" autoComplete="off" maxLength={2000} />
          <button type="submit">Send</button>
          <PushToTalk />
        </div>
      </form>
      <p className="pipeline" data-testid="pipeline-stage">
        Pipeline: <strong>{pipeline.stage}</strong>
        {pipeline.transcript ? <> · heard “{pipeline.transcript}”</> : null}
      </p>
      <div className="toolbar">
        {(['system.repeat', 'system.stop', 'system.help', 'agent.status'] as const).map((id) => (
          <button type="button" key={id} data-action={id} onClick={() => void runSteps(uiAction(id).text({}))}>{uiAction(id).label}</button>
        ))}
        <label>
          Profile{' '}
          <select data-action="system.set_profile" defaultValue="" onChange={(e) => e.target.value && void runSteps(uiAction('system.set_profile').text({ extra: e.target.value }))}>
            <option value="" disabled>choose…</option>
            {PROFILE_NAMES.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </label>
      </div>
      {error ? <p role="alert" className="error">{error}</p> : null}
      {last ? (
        <div className="response" data-testid="response">
          <p className="spoken" data-testid="spoken-text"><span className="label">Spoken: </span>{last.spoken_text}</p>
          {last.cards.map((c, i) => <CardView key={i} card={c} />)}
        </div>
      ) : null}
      <ConfirmationsScreen />
      <ConversationPanel />
    </section>
  );
}
