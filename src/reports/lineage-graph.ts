import type { LineageNode, ReproducibilityRecord } from '../registry/index.js';
import { dash, fields } from './text-layout.js';

/** The formats `warden lineage` draws a walk in. */
export const lineageFormats = ['text', 'mermaid', 'dot', 'json'] as const;
export type LineageFormat = (typeof lineageFormats)[number];

/** One box of the drawn graph; `lines` are its label, the first one its title. */
export interface LineageGraphNode {
  id: string;
  type: 'version' | 'run' | 'commit' | 'dataset' | 'check' | 'capture' | 'verification';
  lines: string[];
}

export interface LineageGraphEdge {
  from: string;
  to: string;
  label: string;
}

/** The walk as nodes and edges: each version → its run → commit, datasets (→ checks), upstream runs. */
export interface LineageGraph {
  nodes: LineageGraphNode[];
  edges: LineageGraphEdge[];
}

const short = (digest: string) => (digest.startsWith('sha256:') ? `${digest.slice(0, 19)}…` : digest);
const verdict = (passed: boolean) => (passed ? '✓ passed' : '✗ failed');

/**
 * Turns a lineage walk into a graph. A run, a commit, a dataset (by digest) and an evidence document
 * (by id) met twice are one node, so a file two versions were trained on is drawn once.
 *
 * @example
 * const graph = lineageGraph(await registry.lineage('credit-risk', '3'));
 * process.stdout.write(renderLineageMermaid(graph));
 */
export function lineageGraph(root: LineageNode): LineageGraph {
  const graph: LineageGraph = { nodes: [], edges: [] };
  const ids = new Map<string, string>();
  const edges = new Set<string>();
  const node = (key: string, type: LineageGraphNode['type'], lines: () => string[]): string => {
    let id = ids.get(key);
    if (id === undefined) {
      id = `n${ids.size + 1}`;
      ids.set(key, id);
      graph.nodes.push({ id, type, lines: lines() });
    }
    return id;
  };
  const edge = (from: string, to: string, label: string) => {
    const key = `${from}\u0000${to}\u0000${label}`;
    if (edges.has(key)) return;
    edges.add(key);
    graph.edges.push({ from, to, label });
  };
  const reproducibility = (record: ReproducibilityRecord) =>
    node(`evidence:${record.id}`, record.role, () =>
      record.role === 'capture'
        ? [
            `capture ${verdict(record.passed)}`,
            `commit ${dash(record.commit)}${record.dirty === null ? '' : record.dirty ? ' (dirty tree)' : ' (clean tree)'}`,
            `${record.producedAt}  ${short(record.id)}`,
          ]
        : [
            `verification: ${record.reproducible === null ? 'unknown' : record.reproducible ? 'reproducible' : 'not reproducible'}`,
            `${record.producedAt}  ${short(record.id)}`,
          ],
    );

  const visit = (version: LineageNode): string => {
    const versionId = node(`version:${version.model}\u0000${version.version}`, 'version', () => [
      `${version.model} version ${version.version}`,
      version.artifact.uri,
      ...(version.truncated === 'cycle' ? ['(drawn above: the lineage loops back here)'] : []),
      ...(version.truncated === 'depth' ? ['(walk stopped: more than 16 levels deep)'] : []),
      ...(version.truncated === undefined && !version.recorded ? ['lineage not recorded'] : []),
    ]);
    if (version.truncated !== undefined) return versionId;
    const drawn = new Map(version.reproducibility.map((record) => [record.id, reproducibility(record)]));
    for (const record of version.reproducibility) {
      const recordId = drawn.get(record.id) ?? '';
      const captureId = record.capture === null ? undefined : drawn.get(record.capture);
      if (captureId !== undefined) edge(recordId, captureId, 're-ran');
      else edge(versionId, recordId, record.role === 'capture' ? 'captured by' : 'verified by');
    }
    let sources = versionId;
    if (version.runId !== null) {
      sources = node(`run:${version.runId}`, 'run', () => [`run ${version.runId}`]);
      edge(versionId, sources, 'produced by');
    }
    if (version.sourceCommit !== null) {
      edge(
        sources,
        node(`commit:${version.sourceCommit}`, 'commit', () => [`commit ${version.sourceCommit}`]),
        'source',
      );
    }
    for (const dataset of version.datasets) {
      const datasetId = node(`dataset:${dataset.digest}`, 'dataset', () => [
        `dataset ${dataset.name}`,
        ...(dataset.uri === null ? [] : [dataset.uri]),
        short(dataset.digest),
      ]);
      edge(sources, datasetId, 'read');
      for (const check of dataset.checks) {
        const checkId = node(`evidence:${check.id}`, 'check', () => [
          `${check.kind} ${verdict(check.passed)}`,
          `${check.producedAt}  ${short(check.id)}`,
        ]);
        edge(datasetId, checkId, 'checked by');
      }
    }
    for (const parent of version.parents) {
      const parentId = node(`run:${parent.runId}`, 'run', () => [`run ${parent.runId}`]);
      edge(sources, parentId, 'upstream');
      for (const upstream of parent.versions) {
        const upstreamId = visit(upstream);
        if (upstream.runId !== parent.runId || upstream.truncated !== undefined) {
          edge(upstreamId, parentId, 'produced by');
        }
      }
    }
    return versionId;
  };
  visit(root);
  return graph;
}

const mermaidShapes: Record<LineageGraphNode['type'], [string, string]> = {
  version: ['[', ']'],
  run: ['([', '])'],
  commit: ['{{', '}}'],
  dataset: ['[(', ')]'],
  check: ['[/', '/]'],
  capture: ['[/', '/]'],
  verification: ['[/', '/]'],
};

/** Text inside a quoted Mermaid label: its entity codes instead of the characters Mermaid reads. */
function mermaidText(text: string): string {
  return text.replace(/[#"<>&]/g, (c) => `#${c.charCodeAt(0)};`).replace(/\r?\n/g, '<br/>');
}

/** A Mermaid flowchart (left to right) of the graph. */
export function renderLineageMermaid(graph: LineageGraph): string {
  const lines = ['flowchart LR'];
  for (const node of graph.nodes) {
    const [open, close] = mermaidShapes[node.type];
    lines.push(`  ${node.id}${open}"${node.lines.map(mermaidText).join('<br/>')}"${close}`);
  }
  for (const edge of graph.edges) {
    lines.push(`  ${edge.from} -->|"${mermaidText(edge.label)}"| ${edge.to}`);
  }
  return `${lines.join('\n')}\n`;
}

const dotShapes: Record<LineageGraphNode['type'], string> = {
  version: 'box',
  run: 'ellipse',
  commit: 'hexagon',
  dataset: 'cylinder',
  check: 'note',
  capture: 'note',
  verification: 'note',
};

/**
 * A DOT double-quoted string: backslashes and quotes escaped, line breaks as `\n`, and `&` as `&amp;`
 * because Graphviz decodes HTML entities in every label.
 */
function dotString(text: string): string {
  return `"${text
    .replace(/&/g, '&amp;')
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r?\n/g, '\\n')}"`;
}

/** A Graphviz DOT digraph (left to right) of the graph. */
export function renderLineageDot(graph: LineageGraph): string {
  const lines = ['digraph lineage {', '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  for (const node of graph.nodes) {
    lines.push(
      `  ${node.id} [shape=${dotShapes[node.type]}, label=${dotString(node.lines.join('\n'))}, class=${dotString(node.type)}];`,
    );
  }
  for (const edge of graph.edges) {
    lines.push(`  ${edge.from} -> ${edge.to} [label=${dotString(edge.label)}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** The lineage walk as an indented tree: the version, its sources, its parents' versions in turn. */
export function renderLineageText(node: LineageNode, indent = ''): string {
  return `${lineageTree(node, indent).join('\n')}\n`;
}

function reproducibilityLine(record: ReproducibilityRecord): string {
  if (record.role === 'verification') {
    const outcome =
      record.reproducible === null ? 'unknown' : record.reproducible ? 'reproducible' : 'not reproducible';
    return `verification  ${outcome}  ${record.producedAt}  ${record.id}${record.capture ? `  of ${record.capture}` : ''}`;
  }
  const tree = record.dirty === null ? '' : record.dirty ? '  dirty tree' : '  clean tree';
  return `capture  ${verdict(record.passed)}  commit ${dash(record.commit)}${tree}  ${record.producedAt}  ${record.id}`;
}

function lineageTree(node: LineageNode, indent: string): string[] {
  const inner = `${indent}  `;
  const lines = [`${indent}${node.model} version ${node.version}`];
  const facts: [string, string][] = [
    ['artifact', `${node.artifact.uri}${node.artifact.digest ? `  ${node.artifact.digest}` : ''}`],
  ];
  if (node.truncated !== undefined) {
    lines.push(fields(facts, inner).trimEnd());
    lines.push(
      node.truncated === 'cycle'
        ? `${inner}(shown above: the lineage loops back here)`
        : `${inner}(walk stopped: more than 16 levels deep)`,
    );
    return lines;
  }
  facts.push(['run', dash(node.runId)]);
  const reproducibility = () => {
    if (node.reproducibility.length === 0) return;
    lines.push(`${inner}reproducibility`);
    for (const record of node.reproducibility) lines.push(`${inner}  ${reproducibilityLine(record)}`);
  };
  if (!node.recorded) {
    facts.push(['lineage', 'not recorded: its sources are unknown (versions create --lineage records them)']);
    lines.push(fields(facts, inner).trimEnd());
    reproducibility();
    return lines;
  }
  facts.push(['commit', dash(node.sourceCommit)]);
  const environment = node.environment;
  const lockfiles = Object.entries(environment?.lockfiles ?? {});
  if (environment === null || (environment.image === null && lockfiles.length === 0)) {
    facts.push(['environment', 'not recorded']);
  }
  if (node.parameters !== null && Object.keys(node.parameters).length > 0) {
    facts.push(['parameters', JSON.stringify(node.parameters)]);
  }
  lines.push(fields(facts, inner).trimEnd());
  if (environment !== null && (environment.image !== null || lockfiles.length > 0)) {
    const parts: [string, string][] = lockfiles.map(([file, digest]) => ['lockfile', `${file}  ${digest}`]);
    if (environment.image !== null) parts.unshift(['image', environment.image]);
    lines.push(`${inner}environment`, fields(parts, `${inner}  `).trimEnd());
  }
  reproducibility();
  if (node.datasets.length === 0) lines.push(`${inner}datasets  none recorded`);
  else {
    lines.push(`${inner}datasets`);
    for (const dataset of node.datasets) {
      lines.push(`${inner}  ${dataset.name}  ${dataset.digest}${dataset.uri ? `  ${dataset.uri}` : ''}`);
      if (dataset.checks.length === 0) lines.push(`${inner}    no checks recorded on this file`);
      for (const check of dataset.checks) {
        lines.push(`${inner}    ${verdict(check.passed)}  ${check.kind}  ${check.producedAt}  ${check.id}`);
      }
    }
  }
  for (const parent of node.parents) {
    lines.push(`${inner}parent run ${parent.runId}`);
    if (parent.versions.length === 0) lines.push(`${inner}  no registered version came from this run`);
    for (const version of parent.versions) lines.push(...lineageTree(version, `${inner}  `));
  }
  return lines;
}

/**
 * Renders a walk in one of `lineageFormats`: `json` is the walk itself, the others are drawn from it.
 */
export function renderLineage(node: LineageNode, format: LineageFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(node, null, 2)}\n`;
    case 'mermaid':
      return renderLineageMermaid(lineageGraph(node));
    case 'dot':
      return renderLineageDot(lineageGraph(node));
    case 'text':
      return renderLineageText(node);
  }
}
