/**
 * A drift report as one self-contained HTML page: inline CSS and inline SVG charts, no scripts and
 * nothing loaded from the network, so it reads the same offline, attached to a CI run or mailed.
 * Every string that comes from the data (column names, categories, file names) is escaped.
 */
import type { EvidenceInput } from '../core/index.js';
import {
  type ColumnDriftEntry,
  columnsBySeverity,
  type DriftHistogram,
  type DriftReportEvidence,
} from '../drift/index.js';
import {
  driftFinding,
  driftSummary,
  formatPercent,
  formatScore,
  methodName,
  noDriftCondition,
  scoreText,
} from './drift-view.js';
import { formatNumber } from './report-view.js';

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const colors = { reference: '#4c72b0', current: '#dd8452' };

const style = `
:root { color-scheme: light; --fail: #b42318; --pass: #067647; --skip: #667085; --line: #e4e7ec; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #101828; margin: 0; background: #f9fafb; }
main { max-width: 1120px; margin: 0 auto; padding: 32px 24px 48px; }
h1 { font-size: 26px; margin: 0 0 8px; }
h2 { font-size: 19px; margin: 36px 0 12px; }
h3 { font-size: 16px; margin: 0 0 4px; }
.verdict { display: inline-block; padding: 4px 12px; border-radius: 999px; font-weight: 700; color: #fff; letter-spacing: .03em; }
.verdict.fail { background: var(--fail); } .verdict.pass { background: var(--pass); }
.summary { font-size: 17px; margin: 12px 0 20px; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f2f4f7; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #475467; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.facts th { width: 150px; text-transform: none; font-size: 14px; letter-spacing: 0; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; }
.pill { display: inline-block; min-width: 70px; text-align: center; padding: 1px 8px; border-radius: 999px; font-size: 12.5px; font-weight: 600; color: #fff; }
.pill.fail { background: var(--fail); } .pill.pass { background: var(--pass); } .pill.skip { background: var(--skip); }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin: 0 0 16px; }
.card.fail { border-left: 5px solid var(--fail); }
.card p { margin: 2px 0 10px; color: #344054; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: #344054; }
details > summary { cursor: pointer; font-weight: 600; margin: 8px 0 12px; }
footer { margin-top: 40px; color: #667085; font-size: 13px; }
`;

/** Bars of a histogram: one label per bucket, the two samples' shares, and tick labels for bins. */
interface Bars {
  labels: string[];
  reference: number[];
  current: number[];
  /** Bin edges to label between the bars (numeric bins only). */
  edges?: number[];
  axis: string;
}

function compactNumber(value: number): string {
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-3)) return value.toExponential(2);
  return Number(value.toPrecision(4)).toString();
}

function barsOf(histogram: DriftHistogram): Bars {
  switch (histogram.kind) {
    case 'bins':
      return {
        labels: histogram.reference.map(
          (_, bin) =>
            `[${compactNumber(histogram.edges[bin] as number)}, ${compactNumber(histogram.edges[bin + 1] as number)}${bin === histogram.reference.length - 1 ? ']' : ')'}`,
        ),
        reference: histogram.reference,
        current: histogram.current,
        edges: histogram.edges,
        axis: 'value (equal-width bins)',
      };
    case 'values':
      return {
        labels: histogram.values.map(compactNumber),
        reference: histogram.reference,
        current: histogram.current,
        axis: 'value',
      };
    case 'categories': {
      const other = histogram.other;
      return {
        labels: [
          ...histogram.categories,
          ...(other ? [`(${other.categories} other${other.categories === 1 ? '' : 's'})`] : []),
        ],
        reference: [...histogram.reference, ...(other ? [other.reference] : [])],
        current: [...histogram.current, ...(other ? [other.current] : [])],
        axis: other
          ? `category (the ${histogram.categories.length} most frequent, then the rest)`
          : 'category',
      };
    }
    case 'buckets':
      return {
        labels: histogram.buckets,
        reference: histogram.reference,
        current: histogram.current,
        axis: 'baseline bucket (shares of all rows, missing included)',
      };
  }
}

/** A step of 1, 2 or 5 × 10ⁿ that splits `top` into about four parts. */
function niceStep(top: number): number {
  const rough = top / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

const clip = (text: string, length: number) =>
  text.length > length ? `${text.slice(0, length - 1)}…` : text;

/** Reference and current shares side by side per bucket, with axes, gridlines and a legend. */
export function histogramSvg(column: string, histogram: DriftHistogram): string {
  const bars = barsOf(histogram);
  const count = bars.labels.length;
  const width = Math.max(520, Math.min(1040, 90 + count * 34));
  const height = 300;
  const margin = { left: 58, right: 16, top: 34, bottom: 86 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const largest = Math.max(0.01, ...bars.reference, ...bars.current);
  const step = niceStep(largest);
  const top = Math.ceil(largest / step) * step;
  const y = (share: number) => margin.top + plotHeight - (share / top) * plotHeight;
  const group = plotWidth / Math.max(count, 1);
  const barWidth = Math.max(1, group * 0.38);
  const parts: string[] = [];
  const label = `Reference and current distribution of ${column}`;
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-column="${escapeHtml(column)}" role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`,
    `<title>${escapeHtml(label)}</title>`,
  );
  for (let tick = 0; tick <= Math.round(top / step); tick++) {
    const share = tick * step;
    const at = y(share).toFixed(1);
    parts.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${at}" y2="${at}" stroke="#e4e7ec"/>`,
      `<text x="${margin.left - 6}" y="${at}" text-anchor="end" dominant-baseline="middle">${escapeHtml(formatPercent(share))}</text>`,
    );
  }
  bars.labels.forEach((name, index) => {
    const x = margin.left + index * group + (group - 2 * barWidth - 2) / 2;
    for (const [side, offset] of [
      ['reference', 0],
      ['current', barWidth + 2],
    ] as const) {
      const share = bars[side][index] as number;
      const top = y(share);
      parts.push(
        `<rect x="${(x + offset).toFixed(1)}" y="${top.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(margin.top + plotHeight - top).toFixed(1)}" fill="${colors[side]}"><title>${escapeHtml(`${side} ${name}: ${formatPercent(share)}`)}</title></rect>`,
      );
    }
  });
  const baseline = margin.top + plotHeight;
  parts.push(
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${baseline}" y2="${baseline}" stroke="#98a2b3"/>`,
  );
  const edges = bars.edges;
  if (edges !== undefined) {
    const every = Math.ceil(edges.length / 12);
    edges.forEach((edge, index) => {
      if (index % every !== 0 && index !== edges.length - 1) return;
      const x = (margin.left + index * group).toFixed(1);
      parts.push(
        `<line x1="${x}" x2="${x}" y1="${baseline}" y2="${baseline + 4}" stroke="#98a2b3"/>`,
        `<text x="${x}" y="${baseline + 16}" text-anchor="middle">${escapeHtml(compactNumber(edge))}</text>`,
      );
    });
  } else {
    const rotate = count > 6;
    bars.labels.forEach((name, index) => {
      const x = (margin.left + (index + 0.5) * group).toFixed(1);
      const y = baseline + 14;
      parts.push(
        rotate
          ? `<text x="${x}" y="${y}" text-anchor="end" transform="rotate(-35 ${x} ${y})">${escapeHtml(clip(name, 16))}</text>`
          : `<text x="${x}" y="${y}" text-anchor="middle">${escapeHtml(clip(name, 18))}</text>`,
      );
    });
  }
  parts.push(
    `<text x="${margin.left + plotWidth / 2}" y="${height - 8}" text-anchor="middle">${escapeHtml(`${column}: ${bars.axis}`)}</text>`,
    `<text transform="rotate(-90 14 ${margin.top + plotHeight / 2})" x="14" y="${margin.top + plotHeight / 2}" text-anchor="middle">share of values</text>`,
  );
  const legendX = width - margin.right - 170;
  parts.push(
    `<rect x="${legendX}" y="10" width="12" height="12" fill="${colors.reference}"/>`,
    `<text x="${legendX + 17}" y="20">reference</text>`,
    `<rect x="${legendX + 90}" y="10" width="12" height="12" fill="${colors.current}"/>`,
    `<text x="${legendX + 107}" y="20">current</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

const statusOf = (entry: ColumnDriftEntry) =>
  entry.drifted === true ? 'fail' : entry.drifted === false ? 'pass' : 'skip';
const statusWord = { fail: 'drifted', pass: 'no drift', skip: 'not tested' };

function inputRow(heading: string, input: EvidenceInput | undefined): string {
  if (input === undefined) return '';
  const rows = input.rows === undefined ? '' : `${formatNumber(input.rows)} rows, `;
  return `<tr><th>${escapeHtml(heading)}</th><td>${escapeHtml(input.uri)} <span style="color:#667085">(${escapeHtml(input.format ?? '?')}, ${rows}${formatNumber(input.bytes)} bytes)</span><div class="mono">${escapeHtml(input.digest)}</div></td></tr>`;
}

function missingText(entry: ColumnDriftEntry): string {
  return `${formatNumber(entry.referenceMissing)} / ${formatNumber(entry.currentMissing)}`;
}

function columnsTable(evidence: DriftReportEvidence, order: readonly string[]): string {
  const rows = order.map((name) => {
    const entry = evidence.columns[name] as ColumnDriftEntry;
    const status = statusOf(entry);
    const pValue = 'pValue' in entry && entry.pValue !== undefined ? formatScore(entry.pValue) : '—';
    const note = entry.drifted === null ? ('error' in entry ? (entry.error ?? '') : '') : '';
    return `<tr><td><span class="pill ${status}">${statusWord[status]}</span></td><td><strong>${escapeHtml(name)}</strong>${entry.role === 'feature' ? '' : ` <em>(${entry.role})</em>`}</td><td>${entry.type}</td><td>${escapeHtml('method' in entry && entry.method !== undefined ? methodName(entry.method) : '—')}</td><td class="num">${entry.drifted === null ? '—' : escapeHtml(scoreText(entry))}</td><td class="num">${pValue}</td><td class="num">${escapeHtml(noDriftCondition(entry))}</td><td class="num">${formatNumber(entry.referenceRows)} / ${formatNumber(entry.currentRows)}</td><td class="num">${missingText(entry)}</td><td>${escapeHtml(note)}</td></tr>`;
  });
  return [
    '<table class="columns">',
    '<thead><tr><th>verdict</th><th>column</th><th>type</th><th>method</th><th>score</th><th>p-value</th><th>no drift if</th><th>values (ref / cur)</th><th>missing (ref / cur)</th><th>note</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody>`,
    '</table>',
  ].join('\n');
}

function columnCard(name: string, entry: ColumnDriftEntry): string {
  const status = statusOf(entry);
  const chart =
    entry.histogram === undefined ? '<p>No values to draw.</p>' : histogramSvg(name, entry.histogram);
  const values = `reference ${formatNumber(entry.referenceRows)} values (${formatNumber(entry.referenceMissing)} missing), current ${formatNumber(entry.currentRows)} (${formatNumber(entry.currentMissing)} missing)`;
  return [
    `<section class="card ${status}">`,
    `<h3>${escapeHtml(name)}${entry.role === 'feature' ? '' : ` <em>(${entry.role})</em>`}</h3>`,
    `<p>${escapeHtml(driftFinding(entry))}. ${escapeHtml(values)}.</p>`,
    chart,
    '</section>',
  ].join('\n');
}

function windowsTable(evidence: DriftReportEvidence): string {
  if (evidence.mode !== 'baseline' || evidence.windows.length < 2) return '';
  const rows = evidence.windows.map(
    (window) =>
      `<tr><td class="num">${window.index + 1}${window.index === evidence.shownWindow ? ' (shown)' : ''}</td><td class="num">${formatNumber(window.rows)}</td><td class="num">${formatPercent(window.driftedShare)}</td><td>${escapeHtml(window.driftedColumnNames.join(', ') || '—')}</td></tr>`,
  );
  return `<h2>Windows</h2>\n<table><thead><tr><th>window</th><th>rows</th><th>drifted share</th><th>drifted columns</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

/** The drift report as a self-contained HTML page. */
export function renderDriftHtml(evidence: DriftReportEvidence): string {
  const order = columnsBySeverity(evidence.columns);
  const drifted = order.filter((name) => evidence.columns[name]?.drifted === true);
  const others = order.filter((name) => evidence.columns[name]?.drifted !== true);
  const [first, second] = evidence.inputs;
  const verdict = evidence.passed ? 'NO DATASET DRIFT' : 'DATASET DRIFT';
  const title = `Drift report: ${evidence.subject.name}`;
  const rule =
    evidence.mode === 'batch'
      ? `Each column is tested as Evidently does by default (the method follows the column type, the reference size and the number of distinct values) unless configured; the dataset drifts when at least ${formatPercent(evidence.driftShare)} of the tested columns drift.`
      : `Each feature is scored against the fixed buckets of its baseline; it drifts when ${evidence.judgedBy.join(' or ')} is above the baseline's threshold, and the dataset drifts when at least ${formatPercent(evidence.driftShare)} of the features do.`;
  const ignored = evidence.ignoredColumns ?? [];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<span class="verdict ${evidence.passed ? 'pass' : 'fail'}">${verdict}</span>
<p class="summary">${escapeHtml(driftSummary(evidence))}.</p>
<p>${escapeHtml(rule)}</p>
<table class="facts">
${inputRow(evidence.mode === 'batch' ? 'reference' : 'baseline', first)}
${inputRow('current', second)}
<tr><th>produced</th><td>${escapeHtml(evidence.producedAt)} by ${escapeHtml(`${evidence.producer.name} ${evidence.producer.version}`)}</td></tr>
<tr><th>evidence id</th><td class="mono">${escapeHtml(evidence.id)}</td></tr>
</table>
<h2>Columns, most drifted first</h2>
${columnsTable(evidence, order)}
${ignored.length === 0 ? '' : `<p>Not compared: ${ignored.map((entry) => `<strong>${escapeHtml(entry.column)}</strong> (${escapeHtml(entry.reason)})`).join('; ')}.</p>`}
${evidence.ignoredRows === undefined ? '' : `<p>Not judged: ${escapeHtml(evidence.ignoredRows.reason)}.</p>`}
${windowsTable(evidence)}
<h2>Drifted columns</h2>
${drifted.length === 0 ? '<p>No column drifted.</p>' : drifted.map((name) => columnCard(name, evidence.columns[name] as ColumnDriftEntry)).join('\n')}
${
  others.length === 0
    ? ''
    : `<details>\n<summary>Distributions of the ${others.length} other column${others.length === 1 ? '' : 's'}</summary>\n${others.map((name) => columnCard(name, evidence.columns[name] as ColumnDriftEntry)).join('\n')}\n</details>`
}
<footer>Written by ${escapeHtml(evidence.producer.name)} ${escapeHtml(evidence.producer.version)} from the evidence ${escapeHtml(evidence.id)}. This page loads nothing and runs no scripts.</footer>
</main>
</body>
</html>
`;
}
