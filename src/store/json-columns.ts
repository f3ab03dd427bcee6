/** JSON kept in text columns (both dialects store it the same way). */
export function readJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  return JSON.parse(text) as T;
}

export function writeJson(value: unknown): string {
  return JSON.stringify(value);
}

/** Timestamps are stored and returned as ISO-8601 UTC with second precision, as in evidence. */
export function isoNow(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
