export type Tone = 'pass' | 'fail' | 'warn' | 'info' | 'neutral';

/** A short status word; the tone is also in the text, never in colour alone. */
export function Badge({ tone, children }: { tone: Tone; children: string }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
