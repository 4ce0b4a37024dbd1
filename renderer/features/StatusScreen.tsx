import { useEffect } from 'react';
import { useApp } from '../components/StoreContext.js';

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
          <dt>Rate-limit budget</dt><dd>{status.github.rate_limit ? `${status.github.rate_limit.remaining} / ${status.github.rate_limit.limit}` : 'n/a'}</dd>
          <dt>Speech</dt><dd>STT {settings?.settings.sttProvider ?? 'offline'}, TTS {settings?.settings.ttsProvider ?? 'offline'}, VAD fvad</dd>
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
