import { useEffect } from 'react';
import { useApp } from '../components/StoreContext.js';
import { lastErrorText } from './health.js';

export function StatusScreen() {
  const status = useApp((s) => s.status);
  const load = useApp((s) => s.loadStatus);
  const lastError = useApp((s) => s.lastError);
  const diag = useApp((s) => s.diagnostics);
  const settings = useApp((s) => s.settings);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section aria-labelledby="status-h">
      <h2 id="status-h">Status</h2>
      <button type="button" onClick={() => void load()}>Refresh</button>
      {status ? (
        <dl className="kv" data-testid="status">
          <dt>Mode</dt><dd>{status.mode === 'fixture' ? 'fixture (demo account)' : 'live'}</dd>
          <dt>GitHub account</dt><dd>{status.github.account ?? '—'} {status.github.ok ? '' : `(${status.github.error ?? 'unavailable'})`}</dd>
          <dt>GitHub last error</dt><dd data-testid="health-github-last-error">{lastErrorText(status.github.last_error, Date.now())}</dd>
          <dt>Rate-limit budget</dt><dd>{status.github.rate_limit ? `${status.github.rate_limit.remaining} / ${status.github.rate_limit.limit}` : 'n/a'}</dd>
          {status.speech ? (
            (['stt', 'tts', 'vad'] as const).map((k) => {
              const h = status.speech?.[k];
              return h ? (
                <div key={k} className="kv-row" data-testid={`health-${k}`}>
                  <dt>{k.toUpperCase()}</dt>
                  <dd>
                    {h.provider}: {h.ok ? 'ok' : 'not working'}{h.message ? ` (${h.message})` : ''}
                    {k !== 'vad' ? <span className="muted small health-last" data-testid={`health-${k}-last-error`}>Last error: {lastErrorText(h.last_error, Date.now())}</span> : null}
                  </dd>
                </div>
              ) : null;
            })
          ) : (
            <><dt>Speech</dt><dd>STT {settings?.settings.sttProvider ?? 'offline'}, TTS {settings?.settings.ttsProvider ?? 'offline'}</dd></>
          )}
          <dt>Voice loop</dt><dd data-testid="status-voice">{status.voice ? (status.voice.started ? (status.voice.available ? status.voice.state : `unavailable: ${status.voice.reason ?? ''}`) : status.voice.reason) : 'n/a'}</dd>
          <dt>Audio add-on</dt><dd>{diag ? (diag.addon.available ? 'loaded' : 'missing') : 'see Diagnostics'}</dd>
          <dt>Pending actions</dt><dd>{status.pending_actions}</dd>
          <dt>Store</dt><dd>{status.store.ok ? 'ok' : status.store.message}</dd>
          <dt>Version</dt><dd>{status.version}</dd>
          <dt>Last error</dt><dd>{lastError ?? 'none'}</dd>
        </dl>
      ) : (
        <p role="status">Loading…</p>
      )}
    </section>
  );
}
