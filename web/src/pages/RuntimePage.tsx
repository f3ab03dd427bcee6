import { useState } from 'react';
import { get, segment } from '../api/client';
import type { EvidenceSummary } from '../api/types';
import { AsyncView } from '../components/AsyncView';
import { PageTitle } from '../components/Layout';
import { RolloutTable } from '../components/runtime/RolloutTable';
import {
  liveRolloutStatuses,
  type MonitorStatus,
  type RolloutRecord,
  type ServingTable,
  type SloDocument,
} from '../components/runtime/runtime';
import { type ServedModel, type ServedVersion, ServingCard } from '../components/runtime/ServingCard';
import { useApi } from '../components/useApi';
import '../components/runtime/runtime.css';

interface Runtime {
  served: ServedModel[];
  rollouts: RolloutRecord[];
}

/**
 * The production version's newest monitor-status that a registered key signed: the runtime acts on
 * nothing else. The newest of all is asked first; only when it is unsigned is the whole list read.
 */
async function latestSignedStatus(model: string, version: string, signal: AbortSignal) {
  const path = `/api/v1/models/${segment(model)}/versions/${segment(version)}/evidence`;
  const { evidence: newest } = await get<{ evidence: EvidenceSummary[] }>(
    path,
    { kind: 'monitor-status', latest: true },
    signal,
  );
  let summary = newest.find((e) => e.signer);
  if (summary === undefined && newest.length > 0) {
    const { evidence } = await get<{ evidence: EvidenceSummary[] }>(path, { kind: 'monitor-status' }, signal);
    summary = evidence.find((e) => e.signer);
  }
  if (summary === undefined) return undefined;
  const document = await get<MonitorStatus>(`/api/v1/evidence/${segment(summary.id)}`, undefined, signal);
  return { summary, document };
}

async function loadRuntime(signal: AbortSignal): Promise<Runtime> {
  const [table, { rollouts }] = await Promise.all([
    get<ServingTable>('/api/v1/gateway/routes', undefined, signal),
    get<{ rollouts: RolloutRecord[] }>('/api/v1/rollouts', { all: true, limit: 50 }, signal),
  ]);
  const models = [
    ...new Set([...table.routes.map((r) => r.model), ...table.problems.map((p) => p.model)]),
  ].sort();
  const served = await Promise.all(
    models.map(async (model): Promise<ServedModel> => {
      const [production, { slos }] = await Promise.all([
        get<ServedVersion>(`/api/v1/models/${segment(model)}/aliases/production`, undefined, signal),
        get<{ slos: SloDocument[] }>(`/api/v1/models/${segment(model)}/slos`, undefined, signal),
      ]);
      return {
        model,
        production,
        route: table.routes.find((r) => r.model === model),
        problems: table.problems.filter((p) => p.model === model).map((p) => p.problem),
        liveRollout: rollouts.find((r) => r.model === model && liveRolloutStatuses.includes(r.status)),
        slos,
        status: await latestSignedStatus(model, production.version, signal),
      };
    }),
  );
  return { served, rollouts };
}

/**
 * What runs: each model's production version and endpoint, its traffic split with any canary, its
 * SLO budgets and burn rates and live drift from the latest signed window, manual rollback for
 * approvers, and the rollouts with their step history.
 */
export function RuntimePage() {
  const loaded = useApi(loadRuntime, []);
  const [message, setMessage] = useState<string | undefined>();
  const done = (text: string) => {
    setMessage(text);
    loaded.reload();
  };
  return (
    <>
      <PageTitle>Runtime</PageTitle>
      {message ? (
        <p className="notice" role="status">
          {message}
        </p>
      ) : null}
      <AsyncView loaded={loaded} what="the runtime">
        {(data) => (
          <>
            <section aria-labelledby="serving-heading">
              <h2 id="serving-heading">Serving</h2>
              {data.served.length === 0 ? (
                <div className="state state-empty">
                  <p>
                    Nothing is served: no model has a version on its <code>production</code> alias. Promote
                    one, set its model server with <code>warden versions set-endpoint</code>, and attach a
                    gateway (docs/gateway.md).
                  </p>
                </div>
              ) : (
                data.served.map((served) => <ServingCard key={served.model} served={served} onDone={done} />)
              )}
            </section>
            <section aria-labelledby="rollouts-heading">
              <h2 id="rollouts-heading">Rollouts</h2>
              {data.rollouts.length === 0 ? (
                <div className="state state-empty">
                  <p>
                    No canary rollout has run. A contributor starts one with <code>warden rollout start</code>
                    (docs/rollouts.md).
                  </p>
                </div>
              ) : (
                <RolloutTable rollouts={data.rollouts} />
              )}
            </section>
          </>
        )}
      </AsyncView>
    </>
  );
}
