import { canonicalJson } from '../../core/index.js';
import { auditRepository, type Store } from '../../store/index.js';
import { chainHash } from '../chain.js';

/**
 * What someone with write access to the database can do: replace one entry's payload and re-chain
 * every entry after the first so that the chain itself verifies again.
 */
export async function rewriteAndRechain(store: Store, seq: number, payload: unknown): Promise<void> {
  const rows = await auditRepository.page(store.db, 0, 100_000);
  let prev = (rows[0] as { hash: string }).hash;
  for (const row of rows.slice(1)) {
    const text = row.seq === seq ? canonicalJson(payload) : row.payload;
    const hash = chainHash(
      prev,
      `{"action":${JSON.stringify(row.action)},"actor":${JSON.stringify(row.actor)},"at":${JSON.stringify(row.at)},"payload":${text},"seq":${row.seq},"subject":${row.subject}}`,
    );
    await store.db
      .updateTable('audit_log')
      .set({ payload: text, prev_hash: prev, hash })
      .where('seq', '=', row.seq)
      .execute();
    prev = hash;
  }
}
