import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { LineageNode } from '../registry/index.js';
import { lineageGraph, renderLineage, renderLineageDot, renderLineageMermaid } from './lineage-graph.js';

const run = promisify(execFile);
const digestOf = (c: string) => `sha256:${c.repeat(64)}`;
const tricky = 's3://models/"quoted" \\ back#slash <b>&amp;\nnext line';

const upstream: LineageNode = {
  model: 'features',
  version: '1',
  artifact: { uri: 's3://features/1', digest: null },
  runId: 'run-1',
  recorded: true,
  sourceCommit: 'aaa1111',
  environment: null,
  parameters: null,
  datasets: [{ name: 'raw', uri: 'data/raw.csv', digest: digestOf('a'), checks: [] }],
  reproducibility: [],
  parents: [],
};

const walk: LineageNode = {
  model: 'credit-risk',
  version: '2',
  artifact: { uri: tricky, digest: digestOf('f') },
  runId: 'run-2',
  recorded: true,
  sourceCommit: 'bbb2222',
  environment: { lockfiles: { 'uv.lock': digestOf('e') }, image: null },
  parameters: { depth: 4 },
  datasets: [
    {
      name: 'raw',
      uri: 'data/raw.csv',
      digest: digestOf('a'),
      checks: [{ id: digestOf('c'), kind: 'data-check', passed: false, producedAt: '2026-11-01T10:00:00Z' }],
    },
  ],
  reproducibility: [
    {
      id: digestOf('9'),
      role: 'verification',
      producedAt: '2026-11-03T10:00:00Z',
      passed: true,
      runId: 'run-2',
      commit: 'bbb2222',
      dirty: false,
      reproducible: true,
      capture: digestOf('8'),
    },
    {
      id: digestOf('8'),
      role: 'capture',
      producedAt: '2026-11-02T10:00:00Z',
      passed: true,
      runId: 'run-2',
      commit: 'bbb2222',
      dirty: false,
      reproducible: null,
      capture: null,
    },
  ],
  parents: [
    { runId: 'run-1', versions: [upstream] },
    { runId: 'run-lost', versions: [] },
  ],
};

const titles = (graph: ReturnType<typeof lineageGraph>) =>
  Object.fromEntries(graph.nodes.map((n) => [n.id, n.lines[0]]));

/** Graphviz's dot (Debian package graphviz; .ci/run installs it): a missing dot fails the test. */
async function dot(source: string, format: string): Promise<string> {
  const child = run('dot', [`-T${format}`]);
  child.child.stdin?.end(source);
  try {
    return (await child).stdout;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') {
      throw new Error('dot is not installed: apt-get install graphviz (.ci/run does)');
    }
    throw error;
  }
}

describe('lineageGraph', () => {
  it('draws version → run → commit, datasets → checks, reproducibility evidence and upstream runs', () => {
    const graph = lineageGraph(walk);
    const title = titles(graph);
    const edges = graph.edges.map((e) => `${title[e.from]} -${e.label}-> ${title[e.to]}`);
    expect(edges).toEqual([
      'verification: reproducible -re-ran-> capture ✓ passed',
      'credit-risk version 2 -captured by-> capture ✓ passed',
      'credit-risk version 2 -produced by-> run run-2',
      'run run-2 -source-> commit bbb2222',
      'run run-2 -read-> dataset raw',
      'dataset raw -checked by-> data-check ✗ failed',
      'run run-2 -upstream-> run run-1',
      'features version 1 -produced by-> run run-1',
      'run run-1 -source-> commit aaa1111',
      'run run-1 -read-> dataset raw',
      'run run-2 -upstream-> run run-lost',
    ]);
    // The file both runs read is one node.
    expect(graph.nodes.filter((n) => n.type === 'dataset')).toHaveLength(1);
    expect(graph.nodes.find((n) => n.type === 'capture')?.lines[1]).toBe('commit bbb2222 (clean tree)');
  });

  it('marks a version where the walk looped back instead of drawing its sources again', () => {
    const looped: LineageNode = { ...upstream, parents: [], truncated: 'cycle' };
    const graph = lineageGraph({ ...walk, parents: [{ runId: 'run-1', versions: [looped] }] });
    const features = graph.nodes.find((n) => n.lines[0] === 'features version 1');
    expect(features?.lines).toContain('(drawn above: the lineage loops back here)');
    expect(graph.nodes.some((n) => n.lines[0] === 'commit aaa1111')).toBe(false);
  });
});

describe('renderLineageDot', () => {
  it('is a digraph Graphviz reads, with every label drawn exactly as written', async () => {
    const graph = lineageGraph(walk);
    const source = renderLineageDot(graph);
    const svg = await dot(source, 'svg');
    const drawn = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
      (m[1] ?? '')
        .replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)))
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&')
        .replaceAll('\u00a0', ' '),
    );
    const written = [
      ...graph.nodes.flatMap((n) => n.lines.flatMap((line) => line.split('\n'))),
      ...graph.edges.map((e) => e.label),
    ];
    expect(drawn.sort()).toEqual(written.sort());
    const layout = JSON.parse(await dot(source, 'json')) as { objects: unknown[]; edges: unknown[] };
    expect(layout.objects).toHaveLength(graph.nodes.length);
    expect(layout.edges).toHaveLength(graph.edges.length);
  });
});

describe('renderLineageMermaid', () => {
  it('is a flowchart of quoted labels in which no character Mermaid reads is left bare', () => {
    const graph = lineageGraph(walk);
    const lines = renderLineageMermaid(graph).trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    const nodeLine = /^ {2}(n\d+)(\[|\(\[|\{\{|\[\(|\[\/)"([^"]*)"(\]|\]\)|\}\}|\)\]|\/\])$/;
    const edgeLine = /^ {2}(n\d+) -->\|"([^"]*)"\| (n\d+)$/;
    const decode = (text: string) => text.replace(/#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));
    const labels = new Map<string, string>();
    const edges: string[] = [];
    for (const line of lines.slice(1)) {
      const node = nodeLine.exec(line);
      const edge = edgeLine.exec(line);
      expect(node ?? edge, line).not.toBeNull();
      if (node) {
        expect(node[3]?.replaceAll('<br/>', '')).not.toMatch(/[<>&"]|#(?!\d+;)/);
        labels.set(node[1] ?? '', decode(node[3] ?? ''));
      }
      if (edge) edges.push(`${edge[1]} ${decode(edge[2] ?? '')} ${edge[3]}`);
    }
    expect([...labels.keys()]).toEqual(graph.nodes.map((n) => n.id));
    for (const node of graph.nodes) {
      expect(labels.get(node.id)).toBe(node.lines.join('<br/>').replaceAll('\n', '<br/>'));
    }
    expect(edges).toEqual(graph.edges.map((e) => `${e.from} ${e.label} ${e.to}`));
    expect(labels.get('n1')).toContain('"quoted" \\ back#slash <b>&amp;');
  });
});

describe('renderLineage', () => {
  it('prints the walk itself as JSON and as an indented tree with its reproducibility evidence', () => {
    expect(JSON.parse(renderLineage(walk, 'json'))).toEqual(walk);
    const text = renderLineage(walk, 'text');
    expect(text).toContain(
      `  reproducibility\n    verification  reproducible  2026-11-03T10:00:00Z  ${digestOf('9')}  of ${digestOf('8')}\n`,
    );
    expect(text).toContain(
      `    capture  ✓ passed  commit bbb2222  clean tree  2026-11-02T10:00:00Z  ${digestOf('8')}\n`,
    );
    expect(text).toMatch(/^ {2}parent run run-1\n {4}features version 1$/m);
  });
});
