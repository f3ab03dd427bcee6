// The `warden check model` command line the benchmarks run: a predictions file with a binary target
// ("bad" the positive class) and a "score" column, fairness over the sensitive columns, the evidence
// written with --json.

/**
 * The arguments after `bin/warden.js`. `bins` is `column=edge,edge,…`; `extra` is appended (e.g.
 * `--intersections`, or `--model m --version 1` for evidence about a registered version).
 */
export function checkModelArgs({ predictions, target, sensitive, bins, json, extra = [] }) {
  return [
    'check',
    'model',
    predictions,
    '--target',
    target,
    '--positive',
    'bad',
    '--score',
    'score',
    '--sensitive',
    sensitive.join(','),
    '--bins',
    bins,
    '--json',
    json,
    ...extra,
  ];
}
