import type { AuditEntry } from '../api/types';
import { type Column, DataTable } from './DataTable';
import { Time } from './Time';

/** The subject of an entry in words: `credit-risk v2`, `token tok_…`. */
export function subjectText(subject: Record<string, unknown>): string {
  const name = subject['name'] ?? subject['id'];
  const version = subject['version'];
  const type = typeof subject['type'] === 'string' ? subject['type'] : '';
  const what = type === 'model' || type === 'model-version' ? '' : `${type} `;
  return `${what}${String(name ?? '')}${version === undefined ? '' : ` v${String(version)}`}`.trim();
}

/** The payload's one-line summary when it has one, else its keys and short values. */
export function payloadText(payload: Record<string, unknown>): string {
  if (typeof payload['summary'] === 'string') return payload['summary'];
  return Object.entries(payload)
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join('; ')
    .slice(0, 300);
}

const columns: Column<AuditEntry>[] = [
  { header: '#', className: 'narrow', cell: (e) => e.seq },
  { header: 'When', className: 'narrow', cell: (e) => <Time at={e.at} /> },
  { header: 'Actor', className: 'narrow', cell: (e) => e.actor },
  { header: 'Action', className: 'narrow', cell: (e) => <code>{e.action}</code> },
  { header: 'Subject', cell: (e) => subjectText(e.subject) },
  { header: 'Details', cell: (e) => <span className="small">{payloadText(e.payload)}</span> },
];

export function AuditTable({ caption, entries }: { caption: string; entries: readonly AuditEntry[] }) {
  return <DataTable caption={caption} columns={columns} rows={entries} rowKey={(e) => String(e.seq)} />;
}
