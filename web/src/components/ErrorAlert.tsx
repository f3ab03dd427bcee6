import type { ReactNode } from 'react';

/** A failure said to the user and announced to screen readers; nothing when there is none. */
export function ErrorAlert({ id, children }: { id?: string; children: ReactNode }) {
  if (children === null || children === undefined || children === '') return null;
  return (
    <p id={id} className="error" role="alert">
      {children}
    </p>
  );
}
