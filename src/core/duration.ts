const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A duration written as a whole number and a unit — `30m`, `12h`, `14d`, `2w` — in milliseconds;
 * undefined when the text is not one.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,5})([smhdw])$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (units[match[2] as string] as number);
}
