import type { ReactNode } from 'react';
import { useAuth } from '../api/auth';
import { Link } from './router';

export const navItems = [
  { href: '/models', label: 'Models' },
  { href: '/promotions', label: 'Promotions' },
  { href: '/waivers', label: 'Waivers' },
  { href: '/runtime', label: 'Runtime' },
  { href: '/audit', label: 'Audit log' },
  { href: '/policies', label: 'Policies' },
] as const;

/** Header with who is signed in, the navigation, and the page in a <main> landmark. */
export function Layout({ pathname, children }: { pathname: string; children: ReactNode }) {
  const { principal, signOut } = useAuth();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href="/models" className="brand">
          Warden
        </Link>
        <nav aria-label="Main">
          <ul>
            {navItems.map((item) => {
              const current = pathname === item.href || pathname.startsWith(`${item.href}/`);
              return (
                <li key={item.href}>
                  <Link href={item.href} aria-current={current ? 'page' : undefined}>
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="who">
          <span>
            Signed in as <strong data-testid="actor">{principal.actor}</strong>{' '}
            <span className="role" data-testid="role">
              {principal.role}
            </span>
            {principal.teams ? <span className="muted"> · teams {principal.teams.join(', ')}</span> : null}
          </span>
          <button type="button" className="link-button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** The page's heading, focused on navigation so screen readers announce the new page. */
export function PageTitle({ children }: { children: ReactNode }) {
  return <h1 className="page-title">{children}</h1>;
}
