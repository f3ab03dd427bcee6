import { segment } from '../api/client';
import type { LineageNode } from '../api/types';
import { Badge } from './Badge';
import { Link } from './router';
import { Time } from './Time';

/**
 * What produced a version, left to right: source commit → datasets (with the checks recorded
 * about each exact file) → training run → version; parent runs nest below with their versions.
 */
export function Lineage({ node }: { node: LineageNode }) {
  if (!node.recorded) {
    return (
      <p className="muted">No lineage was recorded for version {node.version}: its sources are unknown.</p>
    );
  }
  return (
    <>
      <ol className="lineage" aria-label={`Lineage of ${node.model} version ${node.version}`}>
        <li>
          <strong>Commit</strong>
          <div>
            {node.sourceCommit ? (
              <code>{node.sourceCommit.slice(0, 12)}</code>
            ) : (
              <span className="muted">not recorded</span>
            )}
          </div>
        </li>
        <li>
          <strong>Datasets</strong>
          {node.datasets.length === 0 ? (
            <div className="muted">none recorded</div>
          ) : (
            <ul>
              {node.datasets.map((dataset) => (
                <li key={dataset.digest}>
                  {dataset.name} <code title={dataset.digest}>{dataset.digest.slice(0, 15)}…</code>
                  {dataset.checks.length === 0 ? (
                    <div className="muted small">no check of this exact file</div>
                  ) : (
                    <ul>
                      {dataset.checks.map((check) => (
                        <li key={check.id} className="small">
                          {check.kind}{' '}
                          <Badge tone={check.passed ? 'pass' : 'fail'}>
                            {check.passed ? 'passed' : 'failed'}
                          </Badge>{' '}
                          <Time at={check.producedAt} />
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ul>
          )}
        </li>
        <li>
          <strong>Run</strong>
          <div>{node.runId ?? <span className="muted">not recorded</span>}</div>
          {node.environment?.image ? <div className="small">image {node.environment.image}</div> : null}
        </li>
        <li>
          <strong>Version</strong>
          <div>
            {node.model} v{node.version}
          </div>
          <div className="small muted">{node.artifact.uri}</div>
        </li>
      </ol>
      {node.parents.length > 0 ? (
        <div>
          <h4>Parent runs</h4>
          <ul>
            {node.parents.map((parent) => (
              <li key={parent.runId}>
                run {parent.runId}:{' '}
                {parent.versions.length === 0
                  ? 'no registered version'
                  : parent.versions.map((v) => (
                      <Link
                        key={`${v.model}/${v.version}`}
                        href={`/models/${segment(v.model)}/versions/${segment(v.version)}`}
                      >
                        {v.model} v{v.version}
                      </Link>
                    ))}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {node.truncated ? <p className="muted">The walk stopped here ({node.truncated}).</p> : null}
    </>
  );
}
