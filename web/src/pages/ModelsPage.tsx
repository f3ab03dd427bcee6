import { useId, useState } from 'react';
import { get, segment } from '../api/client';
import type { ModelDetail, ModelRecord, VersionRecord } from '../api/types';
import { AsyncView } from '../components/AsyncView';
import { Badge } from '../components/Badge';
import { type Column, DataTable } from '../components/DataTable';
import { PageTitle } from '../components/Layout';
import { Link } from '../components/router';
import { useApi } from '../components/useApi';

/** A model as the list shows it: its record, its aliases and the tags of its versions. */
export interface ModelRow {
  model: ModelDetail;
  latest: VersionRecord | undefined;
  /** Tags on any version, e.g. `biased` on v2 — a version that was blocked. */
  flags: { version: string; key: string; value: string }[];
}

const flagTags = new Set(['biased', 'rolled-back', 'blocked']);

async function loadModels(signal: AbortSignal): Promise<ModelRow[]> {
  const { models } = await get<{ models: ModelRecord[] }>('/api/v1/models', { limit: 500 }, signal);
  return Promise.all(
    models.map(async (record) => {
      const [model, { versions }] = await Promise.all([
        get<ModelDetail>(`/api/v1/models/${segment(record.name)}`, undefined, signal),
        get<{ versions: VersionRecord[] }>(
          `/api/v1/models/${segment(record.name)}/versions`,
          { limit: 100 },
          signal,
        ),
      ]);
      const flags = versions.flatMap((version) =>
        Object.entries(version.tags)
          .filter(([key]) => flagTags.has(key))
          .map(([key, value]) => ({ version: version.version, key, value })),
      );
      return { model, latest: versions[0], flags };
    }),
  );
}

/** Whether a model matches the text (name, description, owner, labels), team and tag filters. */
export function matchesFilter(row: ModelRow, filter: { text: string; team: string; tag: string }): boolean {
  const text = filter.text.trim().toLowerCase();
  if (filter.team !== '' && row.model.team !== filter.team) return false;
  if (filter.tag !== '' && !row.flags.some((flag) => flag.key === filter.tag)) return false;
  if (text === '') return true;
  const haystack = [
    row.model.name,
    row.model.description,
    row.model.owner ?? '',
    ...Object.entries(row.model.labels).map(([key, value]) => `${key}=${value}`),
  ]
    .join(' ')
    .toLowerCase();
  return haystack.includes(text);
}

const versionHref = (model: string, version: string | number) =>
  `/models/${segment(model)}/versions/${segment(String(version))}`;

const columns: Column<ModelRow>[] = [
  {
    header: 'Model',
    cell: (row) => (
      <>
        <Link href={versionHref(row.model.name, row.model.latestVersion)}>{row.model.name}</Link>
        {row.model.description ? <div className="muted small">{row.model.description}</div> : null}
      </>
    ),
  },
  {
    header: 'Aliases',
    cell: (row) =>
      row.model.aliases.length === 0 ? (
        <span className="muted">none</span>
      ) : (
        <ul className="inline-list">
          {row.model.aliases.map((alias) => (
            <li key={alias.alias}>
              <Link href={versionHref(row.model.name, alias.version)}>
                {alias.alias} → v{alias.version}
              </Link>
            </li>
          ))}
        </ul>
      ),
  },
  {
    header: 'Latest',
    className: 'narrow',
    cell: (row) =>
      row.latest ? (
        <Link href={versionHref(row.model.name, row.latest.version)}>v{row.latest.version}</Link>
      ) : (
        <span className="muted">no versions</span>
      ),
  },
  {
    header: 'Tags',
    cell: (row) =>
      row.flags.length === 0 ? (
        <span className="muted">none</span>
      ) : (
        <ul className="inline-list">
          {row.flags.map((flag) => (
            <li key={`${flag.version}-${flag.key}`}>
              <Link href={versionHref(row.model.name, flag.version)}>
                <Badge tone={flag.key === 'biased' || flag.key === 'blocked' ? 'fail' : 'warn'}>
                  {`${flag.key} (v${flag.version})`}
                </Badge>
              </Link>
            </li>
          ))}
        </ul>
      ),
  },
  {
    header: 'Risk tier',
    className: 'narrow',
    cell: (row) => row.model.labels['riskTier'] ?? <span className="muted">—</span>,
  },
  { header: 'Team', className: 'narrow', cell: (row) => row.model.team ?? <span className="muted">—</span> },
  { header: 'Owner', cell: (row) => row.model.owner ?? <span className="muted">—</span> },
];

export function ModelsPage({ search }: { search: URLSearchParams }) {
  const loaded = useApi(loadModels, []);
  const id = useId();
  const [filter, setFilterState] = useState({
    text: search.get('q') ?? '',
    team: search.get('team') ?? '',
    tag: search.get('tag') ?? '',
  });
  const setFilter = (next: typeof filter) => {
    setFilterState(next);
    const params = new URLSearchParams();
    if (next.text) params.set('q', next.text);
    if (next.team) params.set('team', next.team);
    if (next.tag) params.set('tag', next.tag);
    const query = params.toString();
    window.history.replaceState(null, '', query ? `/models?${query}` : '/models');
  };

  return (
    <>
      <PageTitle>Models</PageTitle>
      <AsyncView
        loaded={loaded}
        what="models"
        isEmpty={(rows) => rows.length === 0}
        empty={
          <p>
            No models are registered yet. A contributor registers one with <code>warden models create</code>.
          </p>
        }
      >
        {(rows) => {
          const teams = [
            ...new Set(rows.map((row) => row.model.team).filter((team) => team !== null)),
          ].sort();
          const tags = [...new Set(rows.flatMap((row) => row.flags.map((flag) => flag.key)))].sort();
          const shown = rows.filter((row) => matchesFilter(row, filter));
          return (
            <>
              <search className="filters">
                <div className="field">
                  <label htmlFor={`${id}-text`}>Search</label>
                  <input
                    id={`${id}-text`}
                    type="search"
                    value={filter.text}
                    placeholder="name, owner, label…"
                    onChange={(event) => setFilter({ ...filter, text: event.target.value })}
                  />
                </div>
                <div className="field">
                  <label htmlFor={`${id}-team`}>Team</label>
                  <select
                    id={`${id}-team`}
                    value={filter.team}
                    onChange={(event) => setFilter({ ...filter, team: event.target.value })}
                  >
                    <option value="">all teams</option>
                    {teams.map((team) => (
                      <option key={team}>{team}</option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor={`${id}-tag`}>Tag</label>
                  <select
                    id={`${id}-tag`}
                    value={filter.tag}
                    onChange={(event) => setFilter({ ...filter, tag: event.target.value })}
                  >
                    <option value="">any</option>
                    {tags.map((tag) => (
                      <option key={tag}>{tag}</option>
                    ))}
                  </select>
                </div>
              </search>
              <p className="muted" aria-live="polite">
                {shown.length} of {rows.length} model{rows.length === 1 ? '' : 's'}
              </p>
              {shown.length === 0 ? (
                <div className="state state-empty">
                  <p>No model matches these filters.</p>
                  <button type="button" onClick={() => setFilter({ text: '', team: '', tag: '' })}>
                    Clear filters
                  </button>
                </div>
              ) : (
                <DataTable
                  caption="Registered models"
                  columns={columns}
                  rows={shown}
                  rowKey={(row) => row.model.name}
                />
              )}
            </>
          );
        }}
      </AsyncView>
    </>
  );
}
