import { describe, expect, it } from 'vitest';
import { dateInput, endOfDay, groupWaivers, type Waiver, waivedTarget } from './waivers';

const now = Date.parse('2026-12-07T12:00:00Z');
const day = 86_400_000;

function waiver(id: string, fields: Partial<Waiver>): Waiver {
  return {
    id,
    model: 'credit-risk',
    version: '1',
    policy: 'credit-fairness',
    validation: null,
    reason: 'a reason long enough to audit',
    status: 'approved',
    active: true,
    expired: false,
    requestedAt: '2026-12-01T00:00:00Z',
    requestedBy: 'carl',
    expiresAt: new Date(now + 30 * day).toISOString(),
    auditDueAt: new Date(now + 30 * day).toISOString(),
    auditOverdue: false,
    decidedAt: null,
    decidedBy: null,
    decisionComment: null,
    auditedAt: null,
    auditedBy: null,
    auditNote: null,
    servingAs: [],
    ...fields,
  };
}

describe('groupWaivers', () => {
  it('sorts waivers into requested, ending within 7 days (soonest first), active, expired and closed', () => {
    const groups = groupWaivers(
      [
        waiver('requested', { status: 'requested', active: false }),
        waiver('long', {}),
        waiver('in-6-days', { expiresAt: new Date(now + 6 * day).toISOString() }),
        waiver('in-2-days', { expiresAt: new Date(now + 2 * day).toISOString() }),
        waiver('in-8-days', { expiresAt: new Date(now + 8 * day).toISOString() }),
        waiver('expired-by-server', { expired: true, active: false }),
        waiver('expired-by-clock', { expiresAt: new Date(now - 1).toISOString() }),
        waiver('rejected', { status: 'rejected', active: false }),
        waiver('revoked', { status: 'revoked', active: false, expired: true }),
      ],
      now,
    );
    const ids = (list: Waiver[]) => list.map((w) => w.id);
    expect(ids(groups.requested)).toEqual(['requested']);
    expect(ids(groups.expiringSoon)).toEqual(['in-2-days', 'in-6-days']);
    expect(ids(groups.active)).toEqual(['long', 'in-8-days']);
    expect(ids(groups.expired)).toEqual(['expired-by-server', 'expired-by-clock']);
    expect(ids(groups.closed)).toEqual(['rejected', 'revoked']);
  });

  it('names what is waived: the policy, or the policy and one validation', () => {
    expect(waivedTarget({ policy: 'p', validation: null })).toBe('p');
    expect(waivedTarget({ policy: 'p', validation: 'v' })).toBe('p / v');
  });
});

describe('date inputs', () => {
  it('reads a day as its end in the local time zone, and refuses what is not a day', () => {
    const end = new Date(endOfDay('2026-12-21') as string);
    expect([end.getFullYear(), end.getMonth(), end.getDate(), end.getHours(), end.getMinutes()]).toEqual([
      2026, 11, 21, 23, 59,
    ]);
    expect(endOfDay('')).toBeUndefined();
    expect(endOfDay('21.12.2026')).toBeUndefined();
  });

  it('writes the day `days` ahead as YYYY-MM-DD, across month ends', () => {
    expect(dateInput(new Date(2026, 11, 30, 15), 3)).toBe('2027-01-02');
    expect(dateInput(new Date(2026, 1, 27), 1)).toBe('2026-02-28');
  });
});
