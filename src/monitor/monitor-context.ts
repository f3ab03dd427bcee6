import type { Transaction } from 'kysely';
import type { AuditLog } from '../audit/index.js';
import type { Governance } from '../governance/index.js';
import { modelRepository, type Store, type Tables } from '../store/index.js';

/** What the runtime loop works with: the store, the audit log, governance (policies, promotions, alerts), the clock. */
export interface MonitorContext {
  store: Store;
  audit: AuditLog;
  governance: Governance;
  clock: () => Date;
  teamOf(trx: Transaction<Tables>, model: string): Promise<string | null>;
}

export function monitorContext(parts: Omit<MonitorContext, 'teamOf'>): MonitorContext {
  return {
    ...parts,
    teamOf: async (trx, model) => (await modelRepository.find(trx, model))?.team ?? null,
  };
}
