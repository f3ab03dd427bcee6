import type { ReactNode } from 'react';
import type { Loaded } from './useApi';

/** The loading, error and empty states every page shows the same way. */
export function AsyncView<T>({
  loaded,
  what,
  isEmpty,
  empty,
  children,
}: {
  loaded: Loaded<T> & { reload?: () => void };
  /** What is loading, in words: "models", "the audit log". */
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (loaded.state === 'loading') {
    return (
      <p className="state state-loading" role="status" aria-live="polite">
        Loading {what}…
      </p>
    );
  }
  if (loaded.state === 'error') {
    return (
      <div className="state state-error" role="alert">
        <p>
          Could not load {what}: {loaded.error.message}
        </p>
        {loaded.reload ? (
          <button type="button" onClick={loaded.reload}>
            Try again
          </button>
        ) : null}
      </div>
    );
  }
  if (isEmpty?.(loaded.data)) {
    return <div className="state state-empty">{empty ?? <p>No {what} yet.</p>}</div>;
  }
  return <>{children(loaded.data)}</>;
}
