import { useEffect } from 'react';
import type { AudioDiagnosticsView } from '../../contract/ipc.js';
import { useApp } from '../components/StoreContext.js';
import { LEVEL_HISTORY_MS } from '../store/store.js';
import { LatencyHistogram, LevelHistory } from './charts.js';

/** A plain-language hint about the route: what narrowband or an unknown profile means for the user. */
export function routeHint(route: AudioDiagnosticsView['route']): string | null {
  const p = (route.bluetoothProfile ?? '').toLowerCase();
  if (p === '' || p === 'unknown') {
    return 'Bluetooth profile unknown: the input is not a Bluetooth headset, or the system does not say (PortAudio cannot tell; on Linux the app asks PulseAudio, elsewhere it reads the OS device type). A wired or built-in microphone works the same.';
  }
  if (/hfp|hsp|headset|handsfree/.test(p) && (route.sampleRateHz ?? 16_000) <= 8_000) {
    return 'Narrowband headset audio (8 kHz): speech sounds like a phone call and recognition is less accurate. If your glasses support mSBC (wideband HFP), enable it in the system Bluetooth settings.';
  }
  if (/hfp|hsp|headset|handsfree/.test(p)) return 'Headset profile (HFP): the microphone is active; playback quality is lower than A2DP while it is.';
  if (/a2dp/.test(p)) return 'A2DP (music) profile: good playback but no microphone. The system switches to HFP when the app listens.';
  return null;
}

export function DiagnosticsScreen() {
  const diag = useApp((s) => s.diagnostics);
  const levels = useApp((s) => s.levels);
  const load = useApp((s) => s.loadDiagnostics);
  const setMeter = useApp((s) => s.setMeter);
  const runJob = useApp((s) => s.runDiagnostics);
  const job = useApp((s) => s.jobRunning);
  const jobResult = useApp((s) => s.jobResult);
  const history = useApp((s) => s.levelHistory);
  const outputHistory = useApp((s) => s.outputLevelHistory);
  const latencies = useApp((s) => s.latencies);
  const measureLatency = useApp((s) => s.measureLatency);
  useEffect(() => {
    void load();
    return () => void setMeter(false);
  }, [load, setMeter]);
  if (!diag) return <p role="status">Loading diagnostics…</p>;
  // Both charts share one time axis: the newest sample of either side (the add-on's clock).
  const nowMs = Math.max(levels?.atMs ?? 0, outputHistory[outputHistory.length - 1]?.atMs ?? 0);
  const pct = levels ? Math.round(((levels.rmsDbfs + 100) / 100) * 100) : 0;
  return (
    <section aria-labelledby="diag-h">
      <h2 id="diag-h">Glasses diagnostics</h2>
      {!diag.addon.available ? (
        <div className="card warning" role="alert" data-testid="addon-missing">
          <h3>The audio add-on is not available</h3>
          <p>{diag.addon.reason}</p>
          <p>{diag.addon.buildHint}</p>
        </div>
      ) : (
        <>
          <dl className="kv">
            <dt>Input</dt><dd>{diag.route.input ?? '—'}</dd>
            <dt>Output</dt><dd>{diag.route.output ?? '—'}</dd>
            <dt>Bluetooth profile</dt><dd>{diag.route.bluetoothProfile ?? '—'}</dd>
            <dt>Sample rate</dt><dd>{diag.route.sampleRateHz ? `${diag.route.sampleRateHz} Hz` : '—'}</dd>
            <dt>Dropouts</dt><dd data-testid="dropouts">{levels?.dropouts ?? (diag.metering ? 0 : '— (start the level meter)')}</dd>
          </dl>
          {routeHint(diag.route) ? <p className="hint" data-testid="route-hint">{routeHint(diag.route)}</p> : null}
          {diag.devices.length === 0 ? <p className="warning" role="alert">No audio devices found: is an audio server (PulseAudio/PipeWire) running for this user?</p> : null}
          <p>Audio add-on loaded (backends: {diag.addon.backends.join(', ') || 'none'}). Level meter: {diag.metering ? 'on' : 'off'}.</p>
          <button type="button" onClick={() => void setMeter(!diag.metering)}>{diag.metering ? 'Stop level meter' : 'Start level meter'}</button>
          <div className="meter" role="meter" aria-label="Input level" aria-valuemin={-100} aria-valuemax={0} aria-valuenow={levels ? Math.round(levels.rmsDbfs) : -100} data-testid="level-meter" data-rms={levels?.rmsDbfs ?? -100}>
            <div className="meter-fill" style={{ width: `${pct}%` }} />
          </div>
          <h3>Input level, last {LEVEL_HISTORY_MS / 1000} s</h3>
          <LevelHistory samples={history} windowMs={LEVEL_HISTORY_MS} nowMs={nowMs} />
          <h3>Output level, last {LEVEL_HISTORY_MS / 1000} s</h3>
          {diag.metering && diag.outputMonitor === null ? (
            <p className="hint" data-testid="output-level-unavailable">The output level needs a monitor of the output device (PulseAudio or PipeWire); this audio system has none.</p>
          ) : (
            <LevelHistory samples={outputHistory} windowMs={LEVEL_HISTORY_MS} nowMs={nowMs} side="output" />
          )}
          <div className="toolbar">
            <button type="button" disabled={job !== null} onClick={() => void runJob('testTone')}>Play test tone</button>
            <button type="button" disabled={job !== null} onClick={() => void runJob('recordPlayback')}>Record 3 s and play back</button>
            <button type="button" disabled={job !== null} onClick={() => void runJob('latency')}>Measure latency</button>
            <button type="button" disabled={job !== null} onClick={() => void measureLatency(10)}>Measure latency 10×</button>
          </div>
          <LatencyHistogram values={latencies} />
          {job ? <p role="status">Running {job}…</p> : null}
          {jobResult ? <p role="status" className={jobResult.ok ? '' : 'warning'} data-testid="diagnostics-result">{jobResult.message}</p> : null}
          <p aria-live="off">{levels ? `RMS ${levels.rmsDbfs.toFixed(0)} dBFS, peak ${levels.peakDbfs.toFixed(0)} dBFS` : 'No level yet.'}</p>
        </>
      )}
      {diag.warnings.map((w) => (
        <p key={w} className="warning" role="alert">{w}</p>
      ))}
    </section>
  );
}
