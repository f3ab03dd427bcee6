import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { api, unauthorizedEvent } from './client';
import { session } from './session';
import { type Principal, type Role, roleRank } from './types';

interface Auth {
  principal: Principal;
  /** Whether the signed-in role includes `role` (roles are cumulative). The server still decides. */
  can(role: Role): boolean;
  signOut(): void;
}

const AuthContext = createContext<Auth | undefined>(undefined);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (auth === undefined) throw new Error('useAuth outside <AuthProvider>');
  return auth;
}

export const whoami = (token?: string) =>
  api<Principal>('GET', '/api/v1/whoami', token === undefined ? {} : { token });

/** Who is signed in: renders `signIn` until a token is accepted, then `children` with the principal. */
export function AuthProvider({
  signIn,
  children,
}: {
  signIn: (props: { onSignedIn: (principal: Principal) => void; message: string | undefined }) => ReactNode;
  children: ReactNode;
}) {
  const [principal, setPrincipal] = useState<Principal | undefined>();
  const [checking, setChecking] = useState(() => session.token() !== null);
  const [message, setMessage] = useState<string | undefined>();

  useEffect(() => {
    if (session.token() === null) return;
    whoami().then(
      (who) => {
        setPrincipal(who);
        setChecking(false);
      },
      () => setChecking(false),
    );
  }, []);

  useEffect(() => {
    const expired = (event: Event) => {
      setPrincipal(undefined);
      setMessage(`You were signed out: ${(event as CustomEvent<string>).detail}`);
    };
    window.addEventListener(unauthorizedEvent, expired);
    return () => window.removeEventListener(unauthorizedEvent, expired);
  }, []);

  const signOut = useCallback(() => {
    session.signOut();
    setPrincipal(undefined);
    setMessage('You signed out.');
  }, []);

  if (checking) return <p className="state state-loading">Checking your session…</p>;
  if (principal === undefined)
    return (
      <>
        {signIn({
          message,
          onSignedIn: (who) => {
            setMessage(undefined);
            setPrincipal(who);
          },
        })}
      </>
    );
  const auth: Auth = {
    principal,
    can: (role) => roleRank[principal.role] >= roleRank[role],
    signOut,
  };
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}
