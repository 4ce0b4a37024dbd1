/**
 * First run (no GitHub token yet): stay on the demo account (the default), sign in with GitHub
 * (device flow: a code to enter, also spoken), or paste a token. Shown above the screens, so the
 * demo works underneath; answered once, and offered again from Settings.
 */
import { useEffect, useState } from 'react';
import { useApp } from '../components/StoreContext.js';
import { SignInPanel } from './SignInPanel.js';

export function FirstRunScreen() {
  const view = useApp((s) => s.settings);
  const finish = useApp((s) => s.finishFirstRun);
  const saveToken = useApp((s) => s.saveToken);
  const saveSettings = useApp((s) => s.saveSettings);
  const [choice, setChoice] = useState<'demo' | 'sign-in' | 'token'>('demo');
  const [token, setToken] = useState('');
  const signIn = useApp((s) => s.signIn);
  // Once signed in, the token makes first_run false: stay until the user has read the outcome.
  const [shown, setShown] = useState(false);
  const [closed, setClosed] = useState(false);
  const firstRun = view?.first_run === true;
  useEffect(() => {
    if (firstRun) setShown(true);
  }, [firstRun]);
  if (view === null) return null;
  if (!firstRun) {
    if (!shown || closed || signIn?.state !== 'signed_in') return null;
    return (
      <section className="first-run" aria-labelledby="first-run-h" data-testid="first-run">
        <h2 id="first-run-h">Welcome to HandsFree</h2>
        <p role="status" className="notice" data-testid="first-run-done">{signIn.message}</p>
        <button type="button" className="primary" onClick={() => setClosed(true)}>Continue</button>
      </section>
    );
  }
  const host = view.github.enterprise_host ?? 'github.com';
  // Browser mode has no keychain: the token goes to a 0600 file only with the user's consent.
  const needsConsent = !view.secret.canSave && view.secret.source !== 'env';
  return (
    <section className="first-run" aria-labelledby="first-run-h" data-testid="first-run">
      <h2 id="first-run-h">Welcome to HandsFree</h2>
      <p>No GitHub account is connected yet. How do you want to start?</p>
      <fieldset>
        <legend>Start with</legend>
        <label className="check"><input type="radio" name="first-run" checked={choice === 'demo'} onChange={() => setChoice('demo')} /> The demo account (sample pull requests and notifications, nothing leaves this computer)</label>
        <label className="check"><input type="radio" name="first-run" checked={choice === 'sign-in'} onChange={() => setChoice('sign-in')} /> My GitHub account on {host}: sign in with a code</label>
        <label className="check"><input type="radio" name="first-run" checked={choice === 'token'} onChange={() => setChoice('token')} /> My GitHub account: paste a personal access token (classic)</label>
      </fieldset>
      {choice === 'demo' ? (
        <button type="button" className="primary" onClick={() => void finish(true)}>Stay in demo mode</button>
      ) : null}
      {choice !== 'demo' && needsConsent ? (
        <div>
          <p className="hint" data-testid="first-run-consent">{view.secret.description}</p>
          <button type="button" onClick={() => void saveSettings({ allowPlaintextSecrets: true })}>Allow a 0600 token file</button>
        </div>
      ) : null}
      {choice === 'sign-in' && !needsConsent ? <SignInPanel /> : null}
      {choice === 'token' && !needsConsent ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void saveToken(token).then(() => setToken(''));
          }}
        >
          <label>Personal access token<input type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} /></label>
          <button type="submit" disabled={token === ''}>Save this token</button>
        </form>
      ) : null}
      <p className="hint">Every step has a voice twin: the sign-in code is spoken, and you can change this later in Settings.</p>
    </section>
  );
}
