import { type FormEvent, useId, useState } from 'react';
import { whoami } from '../api/auth';
import { session } from '../api/session';
import type { Principal } from '../api/types';
import { ErrorAlert } from './ErrorAlert';

/** Paste a token; it is checked with GET /api/v1/whoami and kept in this tab's sessionStorage only. */
export function SignIn({
  onSignedIn,
  message,
}: {
  onSignedIn: (principal: Principal) => void;
  message: string | undefined;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const pasted = token.trim();
    if (pasted === '') {
      setError('Paste an API token (it starts with wdn_).');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const principal = await whoami(pasted);
      session.signIn(pasted);
      setToken('');
      onSignedIn(principal);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" id="main">
      <h1>Warden</h1>
      <p>Sign in with an API token. It stays in this browser tab only and is forgotten when you close it.</p>
      {message ? (
        <p className="notice" role="status">
          {message}
        </p>
      ) : null}
      <form onSubmit={submit} noValidate>
        <label htmlFor={`${id}-token`}>API token</label>
        <input
          id={`${id}-token`}
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-describedby={error ? `${id}-error` : `${id}-hint`}
          aria-invalid={error ? true : undefined}
        />
        <p id={`${id}-hint`} className="hint">
          Ask an admin for one (<code>warden token create</code>), or use the demo's token file.
        </p>
        <ErrorAlert id={`${id}-error`}>{error}</ErrorAlert>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
