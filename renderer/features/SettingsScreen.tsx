import { useEffect, useState, type FormEvent } from 'react';
import { PROFILE_NAMES } from '../../contract/intent.js';
import { providerOptions } from '../../contract/providers.js';
import type { RestartSetting, Settings } from '../../contract/ipc.js';
import { useApp } from '../components/StoreContext.js';
import { SignInPanel } from './SignInPanel.js';
import { applyTheme, loadTheme, THEMES, type Theme } from './theme.js';
import { PairPhonePanel } from './PairPhonePanel.js';

const RESTART_LABELS: Record<RestartSetting, string> = {
  mode: 'Mode',
  sttProvider: 'Speech-to-text',
  ttsProvider: 'Text-to-speech',
  voice: 'Voice',
  inputDevice: 'Input device',
  outputDevice: 'Output device',
  voiceInputMode: 'Input mode',
  lanPairing: 'Pair a phone over the LAN',
};

export function SettingsScreen() {
  const view = useApp((s) => s.settings);
  const load = useApp((s) => s.loadSettings);
  const save = useApp((s) => s.saveSettings);
  const saveToken = useApp((s) => s.saveToken);
  const finishFirstRun = useApp((s) => s.finishFirstRun);
  const error = useApp((s) => s.settingsError);
  const [draft, setDraft] = useState<Settings | null>(null);
  // Device choices come from the audio add-on (only the system default where it is not built);
  // voices from the TTS providers themselves (tts.voices: e.g. this machine's espeak-ng voices).
  const devices = useApp((s) => s.diagnostics?.devices);
  const loadDiagnostics = useApp((s) => s.loadDiagnostics);
  const ttsChoices = useApp((s) => s.ttsChoices);
  const loadTtsChoices = useApp((s) => s.loadTtsChoices);
  useEffect(() => {
    void loadDiagnostics();
    void loadTtsChoices();
  }, [loadDiagnostics, loadTtsChoices]);
  const [token, setToken] = useState('');
  const [theme, setTheme] = useState<Theme>(() => loadTheme());
  useEffect(() => {
    void load();
  }, [load]);
  // The draft starts from the first settings seen; a later reload (the app and this screen both load
  // them at start) must not wipe what the user already changed.
  useEffect(() => {
    if (view) setDraft((d) => d ?? view.settings);
  }, [view]);
  // A voice the chosen provider does not offer (after switching provider) falls back to its default:
  // the host would refuse to save it.
  const ttsProvider = draft?.ttsProvider;
  useEffect(() => {
    const offered = ttsChoices?.providers.find((c) => c.provider === ttsProvider)?.voices;
    if (offered !== undefined) setDraft((d) => (d !== null && d.voice !== 'default' && !offered.includes(d.voice) ? { ...d, voice: 'default' } : d));
  }, [ttsProvider, ttsChoices]);
  if (!view || !draft) return <p role="status">Loading settings…</p>;
  const upd = (patch: Partial<Settings>) => setDraft({ ...draft, ...patch });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save(draft);
  };
  const sn = draft.spokenNotifications;
  const voicesOf = (p: Settings['ttsProvider']): readonly string[] => ttsChoices?.providers.find((c) => c.provider === p)?.voices ?? [];
  const voices = voicesOf(draft.ttsProvider);
  const deviceOptions = (dir: 'input' | 'output', current: string) => {
    const listed = (devices ?? []).filter((d) => d.direction === dir);
    return (
      <>
        <option value="default">System default</option>
        {listed.map((d) => <option key={d.id} value={d.id}>{`${d.name} (${d.transport})`}</option>)}
        {current !== 'default' && !listed.some((d) => d.id === current) ? <option value={current}>{`${current} (not connected)`}</option> : null}
      </>
    );
  };
  return (
    <section aria-labelledby="settings-h">
      <h2 id="settings-h">Settings</h2>
      <div className="settings">
        <fieldset>
          <legend>Appearance</legend>
          <label>Theme
            <select data-testid="setting-theme" value={theme} onChange={(e) => { const t = e.target.value as Theme; setTheme(t); applyTheme(t); }}>
              {THEMES.map((t) => <option key={t} value={t}>{t === 'system' ? 'Follow the system' : t === 'light' ? 'Light' : 'Dark'}</option>)}
            </select>
          </label>
        </fieldset>
      </div>
      <form onSubmit={submit} className="settings">
        <fieldset>
        <legend>Account</legend>
        <label>Mode
          <select data-testid="setting-mode" value={draft.mode} onChange={(e) => upd({ mode: e.target.value as Settings['mode'] })}>
            <option value="fixture">Fixture (demo account)</option>
            <option value="live">Live GitHub</option>
          </select>
        </label>
        <label>Profile
          <select data-testid="setting-profile" value={draft.profile} onChange={(e) => upd({ profile: e.target.value as Settings['profile'] })}>
            {PROFILE_NAMES.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </label>
        </fieldset>
        <fieldset>
        <legend>Voice</legend>
        <label>Speech-to-text
          <select value={draft.sttProvider} onChange={(e) => upd({ sttProvider: e.target.value as Settings['sttProvider'] })}>
            {providerOptions('stt').map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
          </select>
        </label>
        <label>Text-to-speech
          <select value={draft.ttsProvider} onChange={(e) => upd({ ttsProvider: e.target.value as Settings['ttsProvider'] })}>
            {providerOptions('tts').map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
          </select>
        </label>
        <label>Voice
          <select data-testid="setting-voice" value={draft.voice} onChange={(e) => upd({ voice: e.target.value })}>
            <option value="default">Provider default</option>
            {voices.map((v) => <option key={v} value={v}>{v}</option>)}
            {draft.voice !== 'default' && !voices.includes(draft.voice) ? <option value={draft.voice}>{`${draft.voice} (not offered by this provider)`}</option> : null}
          </select>
        </label>
        <label>Push-to-talk shortcut<input value={draft.pushToTalkShortcut} onChange={(e) => upd({ pushToTalkShortcut: e.target.value })} /></label>
        <label>Headset tap (play/pause) shortcut<input value={draft.headsetTapShortcut} placeholder="off" onChange={(e) => upd({ headsetTapShortcut: e.target.value })} /></label>
        <label>Input mode
          <select data-testid="setting-voice-input" value={draft.voiceInputMode} onChange={(e) => upd({ voiceInputMode: e.target.value as Settings['voiceInputMode'] })}>
            <option value="ptt">Push-to-talk</option><option value="vad">Hands-free (listens when you speak)</option>
          </select>
        </label>
        </fieldset>
        <fieldset>
        <legend>Devices</legend>
        <label>Input device
          <select data-testid="setting-input-device" value={draft.inputDevice} onChange={(e) => upd({ inputDevice: e.target.value })}>{deviceOptions('input', draft.inputDevice)}</select>
        </label>
        <label>Output device
          <select data-testid="setting-output-device" value={draft.outputDevice} onChange={(e) => upd({ outputDevice: e.target.value })}>{deviceOptions('output', draft.outputDevice)}</select>
        </label>
        </fieldset>
        <fieldset>
          <legend>Notifications</legend>
          <label className="check"><input type="checkbox" data-testid="setting-muted" checked={sn.muted} onChange={(e) => upd({ spokenNotifications: { ...sn, muted: e.target.checked } })} /> Mute spoken notifications</label>
          <label className="check"><input type="checkbox" checked={sn.quietHours.enabled} onChange={(e) => upd({ spokenNotifications: { ...sn, quietHours: { ...sn.quietHours, enabled: e.target.checked } } })} /> Quiet hours</label>
          <label>From<input type="time" value={sn.quietHours.start} onChange={(e) => upd({ spokenNotifications: { ...sn, quietHours: { ...sn.quietHours, start: e.target.value } } })} /></label>
          <label>To<input type="time" value={sn.quietHours.end} onChange={(e) => upd({ spokenNotifications: { ...sn, quietHours: { ...sn.quietHours, end: e.target.value } } })} /></label>
        </fieldset>
        <fieldset>
          <legend>Wake phrase (hands-free mode, offline; read at start)</legend>
          <label className="check"><input type="checkbox" data-testid="setting-wake" checked={draft.wakePhrase.enabled} onChange={(e) => upd({ wakePhrase: { ...draft.wakePhrase, enabled: e.target.checked } })} /> Only listen after the wake phrase</label>
          <label>Phrase<input value={draft.wakePhrase.phrase} onChange={(e) => upd({ wakePhrase: { ...draft.wakePhrase, phrase: e.target.value.toLowerCase() } })} /></label>
        </fieldset>
        <fieldset>
        <legend>Advanced</legend>
        <label className="check"><input type="checkbox" data-testid="setting-login" checked={draft.launchAtLogin} onChange={(e) => upd({ launchAtLogin: e.target.checked })} /> Start HandsFree when I log in (desktop app)</label>
        <label className="check"><input type="checkbox" checked={draft.allowPlaintextSecrets} onChange={(e) => upd({ allowPlaintextSecrets: e.target.checked })} /> Allow storing the GitHub token in plaintext when no OS keychain is available</label>
        <label className="check"><input type="checkbox" data-testid="setting-lan" checked={draft.lanPairing} onChange={(e) => upd({ lanPairing: e.target.checked })} /> Serve the API on the LAN for a paired phone (TLS, API keys only; read at start)</label>
        </fieldset>
        <button type="submit" className="primary">Save settings</button>
      </form>
      <PairPhonePanel />
      <form className="settings" onSubmit={(e) => { e.preventDefault(); void saveToken(token).then(() => setToken('')); }}>
        <h3>GitHub token</h3>
        <p data-testid="secret-status">{view.secret.description}</p>
        <label>Token<input type="password" autoComplete="off" value={token} disabled={!view.secret.canSave} onChange={(e) => setToken(e.target.value)} /></label>
        <button type="submit" disabled={!view.secret.canSave || token === ''}>Save token</button>
      </form>
      <div className="settings">
        <h3>Sign in with GitHub</h3>
        <SignInPanel />
        {!view.first_run ? <button type="button" onClick={() => void finishFirstRun(false)}>Show the welcome screen again</button> : null}
      </div>
      {error ? <p role="alert" className="error">{error}</p> : null}
      {view.restartNeeded.length > 0 ? (
        <p role="status" className="notice" data-testid="settings-restart">
          Saved. {view.restartNeeded.map((k) => RESTART_LABELS[k]).join(', ')} {view.restartNeeded.length === 1 ? 'takes' : 'take'} effect when the app restarts
          (unless an environment variable such as HANDSFREE_MODE sets {view.restartNeeded.length === 1 ? 'it' : 'them'}).
        </p>
      ) : null}
      <p className="hint">Profile, spoken-notification rules and quiet hours apply at once. Mode, speech providers, voice and devices apply when the app starts.</p>
      <p className="hint">Settings file: {view.path}</p>
    </section>
  );
}
