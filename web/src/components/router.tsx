import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useState } from 'react';

// A tiny history router: the pages are few and their paths fixed, so a library would be weight
// without use. The server answers index.html for every page path.

const changeEvent = 'warden:navigate';

export function navigate(to: string): void {
  if (to === currentPath()) return;
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(changeEvent));
}

function currentPath(): string {
  return window.location.pathname + window.location.search;
}

/** The current path and query, re-rendering on every navigation. */
export function useLocation(): { pathname: string; search: URLSearchParams } {
  const [location, setLocation] = useState(currentPath);
  useEffect(() => {
    const update = () => setLocation(currentPath());
    window.addEventListener('popstate', update);
    window.addEventListener(changeEvent, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(changeEvent, update);
    };
  }, []);
  const url = new URL(location, 'http://dashboard.invalid');
  return { pathname: url.pathname, search: url.searchParams };
}

/** A pattern like `/models/:model/versions/:version` matched against a path; params decoded. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const have = pathname.split('/').filter(Boolean);
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of want.entries()) {
    const actual = have[index] as string;
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (part !== actual) return undefined;
  }
  return params;
}

/** An ordinary link that navigates inside the app (a modified click still opens a new tab). */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={follow} {...rest} />;
}
