/**
 * GitHub sign-in with the device flow: start, the code to enter (also spoken by the host), the
 * outcome. Used by the first-run screen and Settings.
 */
import { useEffect } from 'react';
import { isAllowedExternalUrl } from '../../contract/linkPolicy.js';
import { useApp } from '../components/StoreContext.js';

export function SignInPanel() {
  const signIn = useApp((s) => s.signIn);
  const error = useApp((s) => s.signInError);
  const start = useApp((s) => s.startSignIn);
  const cancel = useApp((s) => s.cancelSignIn);
  const load = useApp((s) => s.loadSignIn);
  useEffect(() => {
    void load();
  }, [load]);
  if (signIn === null) return null;
  const waiting = signIn.state === 'waiting';
  const uri = signIn.verification_uri;
  return (
    <div className="sign-in" data-testid="sign-in">
      {waiting ? (
        <>
          <p>
            Open {uri !== null && isAllowedExternalUrl(uri) ? <a href={uri} target="_blank" rel="noreferrer noopener">{uri}</a> : <span>{uri}</span>} and enter this code:
          </p>
          <p className="user-code" data-testid="user-code" aria-label={`Code ${signIn.user_code?.split('').join(' ')}`}>{signIn.user_code}</p>
          <p className="hint">Waiting for you to approve on GitHub… The code was also spoken.</p>
          <button type="button" onClick={() => void cancel()}>Stop waiting</button>
        </>
      ) : (
        <>
          {signIn.state === 'idle' && !signIn.available ? <p className="hint" data-testid="sign-in-message">{signIn.message}</p> : null}
          {signIn.state !== 'idle' ? (
            <p role={signIn.state === 'signed_in' ? 'status' : 'alert'} data-testid="sign-in-message" className={signIn.state === 'signed_in' ? 'notice' : 'error'}>
              {signIn.message}
            </p>
          ) : null}
          {signIn.available && signIn.state !== 'signed_in' ? (
            <button type="button" className="primary" onClick={() => void start()}>Sign in with GitHub</button>
          ) : null}
          {signIn.available ? <p className="hint">Asks for the scopes: {signIn.scopes.join(', ')} (pull requests, issues and notifications, private repos included).</p> : null}
        </>
      )}
      {error ? <p role="alert" className="error" data-testid="sign-in-error">{error}</p> : null}
    </div>
  );
}
