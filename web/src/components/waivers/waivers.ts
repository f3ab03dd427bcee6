import type { WaiverRecord } from '../../api/types';

/** A waiver as GET /api/v1/waivers answers it, with its post-deployment audit. */
export interface Waiver extends WaiverRecord {
  status: 'requested' | 'approved' | 'rejected' | 'revoked';
  auditedAt: string | null;
  auditedBy: string | null;
  auditNote: string | null;
}

/** The longest a waiver may run (the server's rule in src/governance/waivers.ts). */
export const maxWaiverDays = 90;
/** The shortest reason the server accepts. */
export const minReasonLength = 20;
/** "Expiring soon" on the page: active waivers that end within this many days. */
export const expiringWithinDays = 7;

const day = 86_400_000;

export interface WaiverGroups {
  requested: Waiver[];
  expiringSoon: Waiver[];
  active: Waiver[];
  expired: Waiver[];
  closed: Waiver[];
}

/**
 * Sorts waivers into the page's sections at `now`: waiting for approval, active and ending within
 * a week, active, expired (approved, past expiry), and closed (rejected or revoked).
 */
export function groupWaivers(waivers: readonly Waiver[], now: number): WaiverGroups {
  const groups: WaiverGroups = { requested: [], expiringSoon: [], active: [], expired: [], closed: [] };
  for (const waiver of waivers) {
    if (waiver.status === 'requested') groups.requested.push(waiver);
    else if (waiver.status === 'rejected' || waiver.status === 'revoked') groups.closed.push(waiver);
    else if (waiver.expired || Date.parse(waiver.expiresAt) <= now) groups.expired.push(waiver);
    else if (Date.parse(waiver.expiresAt) - now <= expiringWithinDays * day) groups.expiringSoon.push(waiver);
    else groups.active.push(waiver);
  }
  groups.expiringSoon.sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));
  return groups;
}

/** What a waiver sets aside: `policy` or `policy / validation`. */
export const waivedTarget = (waiver: Pick<Waiver, 'policy' | 'validation'>) =>
  waiver.validation ? `${waiver.policy} / ${waiver.validation}` : waiver.policy;

/** `YYYY-MM-DD` of a day `days` after `now`, in the reader's calendar (for date inputs). */
export function dateInput(now: Date, days: number): string {
  const date = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * A date input's day as the instant the waiver ends: the end of that day in the reader's time
 * zone, so "expires on the 14th" holds through the 14th. Undefined for an empty or invalid value.
 */
export function endOfDay(value: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match === null) return undefined;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
