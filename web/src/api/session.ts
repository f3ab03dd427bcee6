// The token lives in sessionStorage only: it is gone when the tab closes, never in the URL,
// localStorage or a log.
const key = 'warden.token';

export const session = {
  token(): string | null {
    return sessionStorage.getItem(key);
  },
  signIn(token: string): void {
    sessionStorage.setItem(key, token);
  },
  signOut(): void {
    sessionStorage.removeItem(key);
  },
};
