import { useEffect } from 'react';
import { useApp } from '../components/StoreContext.js';

/** Enrollment: read each prompt through the headset, then adapt; reset removes the profile. */
export function VoiceProfileScreen() {
  const view = useApp((s) => s.voiceProfile);
  const busy = useApp((s) => s.voiceProfileBusy);
  const error = useApp((s) => s.voiceProfileError);
  const load = useApp((s) => s.loadVoiceProfile);
  const record = useApp((s) => s.recordPrompt);
  const adapt = useApp((s) => s.adaptVoiceProfile);
  const reset = useApp((s) => s.resetVoiceProfile);
  useEffect(() => {
    void load();
  }, [load]);
  if (!view) return <p role="status">{error ?? 'Loading voice profile…'}</p>;
  const recorded = new Set(view.recorded);
  return (
    <section aria-labelledby="vp-title">
      <h2 id="vp-title">Voice profile</h2>
      <p data-testid="vp-status">
        {view.enrolled ? `Offline speech is adapted to your voice (since ${new Date(view.updated_at_ms ?? 0).toLocaleString()}).` : 'Offline speech uses the default model.'}
        {view.available ? '' : ` ${view.reason ?? ''}`}
      </p>
      <p>Press Record, then read the phrase aloud through the headset you use, at your normal pace. Record at least {view.min_recordings}; all {view.prompts.length} works best.</p>
      <ol className="prompts">
        {view.prompts.map((p, i) => (
          <li key={p}>
            <span>{p}</span>{' '}
            <button type="button" disabled={busy !== null || !view.available} onClick={() => void record(i)}>
              {busy === `record:${i}` ? 'Listening…' : recorded.has(i) ? 'Record again' : 'Record'}
            </button>
            {recorded.has(i) ? <span aria-label="recorded"> ✓</span> : null}
          </li>
        ))}
      </ol>
      <button type="button" className="primary" data-testid="vp-adapt" disabled={busy !== null || recorded.size < view.min_recordings} onClick={() => void adapt()}>
        {busy === 'adapt' ? 'Adapting…' : `Adapt to my voice (${recorded.size} recorded)`}
      </button>{' '}
      <button type="button" data-testid="vp-reset" disabled={busy !== null || (!view.enrolled && recorded.size === 0)} onClick={() => void reset()}>
        Reset voice profile
      </button>
      {error ? <p role="alert" className="error">{error}</p> : null}
    </section>
  );
}
