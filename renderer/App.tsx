import { useEffect, useState } from 'react';
import { useApp } from './components/StoreContext.js';
import { CommandScreen } from './features/CommandScreen.js';
import { DiagnosticsScreen } from './features/DiagnosticsScreen.js';
import { FirstRunScreen } from './features/FirstRunScreen.js';
import { InboxScreen } from './features/InboxScreen.js';
import { SettingsScreen } from './features/SettingsScreen.js';
import { StatusScreen } from './features/StatusScreen.js';
import { TtsScreen } from './features/TtsScreen.js';
import { VoiceProfileScreen } from './features/VoiceProfileScreen.js';

const SCREENS = [
  { id: 'inbox', label: 'Inbox', view: InboxScreen },
  { id: 'command', label: 'Command & confirmations', view: CommandScreen },
  { id: 'status', label: 'Status', view: StatusScreen },
  { id: 'diagnostics', label: 'Glasses diagnostics', view: DiagnosticsScreen },
  { id: 'tts', label: 'TTS test', view: TtsScreen },
  { id: 'voice-profile', label: 'Voice profile', view: VoiceProfileScreen },
  { id: 'settings', label: 'Settings', view: SettingsScreen },
] as const;
type ScreenId = (typeof SCREENS)[number]['id'];

export function App() {
  const [screen, setScreen] = useState<ScreenId>('inbox');
  const announcement = useApp((s) => s.announcement);
  const stage = useApp((s) => s.pipeline.stage);
  const connected = useApp((s) => s.connected);
  const pending = useApp((s) => Object.values(s.confirmations).filter((c) => c.state === 'pending').length);
  const loadInbox = useApp((s) => s.loadInbox);
  const unread = useApp((s) => s.unread);
  const warnings = useApp((s) => s.audioWarnings);
  const dismiss = useApp((s) => s.dismissAudioWarning);
  const loadSettings = useApp((s) => s.loadSettings);
  useEffect(() => {
    void loadInbox();
    void loadSettings();
  }, [loadInbox, loadSettings]);
  // A new confirmation brings the user to it.
  useEffect(() => {
    if (pending > 0) setScreen('command');
  }, [pending]);
  const Current = SCREENS.find((s) => s.id === screen)!.view;
  return (
    <div className="app">
      <header>
        <h1>HandsFree Dev Companion</h1>
        <span className={`stage stage-${stage}`} aria-hidden="true">{stage}</span>
        {!connected ? <span className="offline" role="status">reconnecting…</span> : null}
      </header>
      <nav aria-label="Screens">
        {SCREENS.map((s) => (
          <button key={s.id} type="button" aria-current={s.id === screen ? 'page' : undefined} data-screen={s.id} onClick={() => setScreen(s.id)}>
            {s.label}
            {s.id === 'command' && pending > 0 ? ` (${pending})` : ''}
            {s.id === 'inbox' && unread !== null ? <span data-testid="unread-count"> ({unread} unread)</span> : null}
          </button>
        ))}
      </nav>
      {warnings.length > 0 ? (
        <ul className="audio-warnings" aria-label="Audio warnings">
          {warnings.map((w) => (
            <li key={w.at + w.kind} className={`audio-warning audio-level-${w.level}`} role={w.level === 'warning' ? 'alert' : 'status'} data-testid="audio-warning" data-kind={w.kind}>
              {w.message}{' '}
              <button type="button" onClick={() => dismiss(w.kind)} aria-label="Dismiss">×</button>
            </li>
          ))}
        </ul>
      ) : null}
      <main>
        <FirstRunScreen />
        <Current />
      </main>
      <div className="sr-only" role="status" aria-live="polite" data-testid="live-region">{announcement}</div>
    </div>
  );
}
