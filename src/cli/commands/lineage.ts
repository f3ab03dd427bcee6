import type { Command } from 'commander';
import type { LineageNode } from '../../registry/index.js';
import type { CliIo } from '../cli-io.js';
import { type OutputFlags, withOutput } from '../options.js';
import { serverClient } from '../server-client.js';
import { resolveVersion } from '../version-ref.js';
import { dash, fields, printJson } from './output.js';

/** `warden lineage`: from a model version back to its commit, datasets and their checks, parents. */

/** The lineage walk as an indented tree: the version, its sources, its parents' versions in turn. */
export function lineageTree(node: LineageNode, indent = ''): string[] {
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
  if (!node.recorded) {
    facts.push(['lineage', 'not recorded: its sources are unknown (versions create --lineage records them)']);
    lines.push(fields(facts, inner).trimEnd());
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
  if (node.datasets.length === 0) lines.push(`${inner}datasets  none recorded`);
  else {
    lines.push(`${inner}datasets`);
    for (const dataset of node.datasets) {
      lines.push(`${inner}  ${dataset.name}  ${dataset.digest}${dataset.uri ? `  ${dataset.uri}` : ''}`);
      if (dataset.checks.length === 0) lines.push(`${inner}    no checks recorded on this file`);
      for (const check of dataset.checks) {
        lines.push(
          `${inner}    ${check.passed ? '✓ passed' : '✗ failed'}  ${check.kind}  ${check.producedAt}  ${check.id}`,
        );
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

export function registerLineage(program: Command, io: CliIo): void {
  withOutput(
    program
      .command('lineage')
      .description(
        'walk from a model version back to its sources: commit, datasets and their checks, parents',
      )
      .argument('<model>', 'the model name, or MODEL@VERSION / MODEL@ALIAS')
      .argument('[version]', 'the version number'),
  ).action(async (model: string, version: string | undefined, flags: OutputFlags) => {
    const client = serverClient(flags);
    const node = await client.call('getLineage', { params: await resolveVersion(client, model, version) });
    if (flags.json) return printJson(io, node);
    io.stdout.write(`${lineageTree(node).join('\n')}\n`);
  });
}
