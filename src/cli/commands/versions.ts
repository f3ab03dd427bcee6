import type { Command } from 'commander';
import {
  checkEvidenceDocument,
  type InferenceProtocol,
  inferenceProtocols,
  isDsseEnvelope,
  openEvidenceEnvelope,
  type ServingEndpoint,
  WardenError,
} from '../../core/index.js';
import { captureFromEvidence, lineageFromCapture } from '../../repro/index.js';
import type { VersionRecord } from '../../store/index.js';
import type { CliIo } from '../cli-io.js';
import { readJsonFile } from '../json-file.js';
import { type OutputFlags, parseLimit, withOutput } from '../options.js';
import { serverClient } from '../server-client.js';
import { aliasRef, resolveVersion } from '../version-ref.js';
import { dash, fields, morePages, pairsText, printJson, printList } from './output.js';

/** `warden versions create|list|show`: versions of a registered model. */

interface VersionCreateFlags extends OutputFlags {
  artifact: string;
  artifactDigest?: string;
  runId?: string;
  description?: string;
  lineage?: string;
  endpoint?: string;
  protocol?: string;
}

function versionView(version: VersionRecord): string {
  return fields([
    ['model', version.model],
    ['version', version.version],
    ['status', version.status],
    ['artifact', version.artifact.uri],
    ['digest', dash(version.artifact.digest)],
    ['run', dash(version.runId)],
    ['description', dash(version.description)],
    ['aliases', version.aliases.length === 0 ? '-' : version.aliases.join(', ')],
    ['tags', pairsText(version.tags)],
    ['endpoint', version.endpoint === null ? '-' : `${version.endpoint.url} (${version.endpoint.protocol})`],
    ['created', `${version.createdAt} by ${version.createdBy}`],
  ]);
}

/** The --lineage file: a JSON object (what produced the version). */
async function readLineageFile(file: string): Promise<Record<string, unknown>> {
  const lineage = await readJsonFile(
    file,
    'lineage',
    (reason) =>
      new WardenError(
        'WARDEN_ERR_INPUT_FILE_UNREADABLE',
        `${file}: the lineage file is not JSON (${reason}); write it as a JSON object with runId, sourceCommit, datasets, environment, parameters, parentRuns`,
        { where: file },
      ),
  );
  if (typeof lineage !== 'object' || lineage === null || Array.isArray(lineage)) {
    throw new WardenError(
      'WARDEN_ERR_INPUT_FILE_UNREADABLE',
      `${file}: the lineage file must hold a JSON object (runId, sourceCommit, datasets, …), not ${Array.isArray(lineage) ? 'an array' : JSON.stringify(lineage)}`,
    );
  }
  // A capture's evidence (signed or not) documents the run; its lineage is derived, not typed.
  if (isDsseEnvelope(lineage)) {
    return { ...lineageFromCapture(captureFromEvidence(openEvidenceEnvelope(lineage, file).evidence, file)) };
  }
  if ((lineage as { kind?: unknown }).kind === 'reproducibility') {
    return { ...lineageFromCapture(captureFromEvidence(checkEvidenceDocument(lineage, file), file)) };
  }
  return lineage as Record<string, unknown>;
}

/** --endpoint/--url with --protocol, as the API takes it; the server checks the URL and names the problem. */
function endpointOf(url: string, protocol: string | undefined, io: CliIo): ServingEndpoint {
  if (protocol !== undefined && !(inferenceProtocols as readonly string[]).includes(protocol))
    io.usageError(`--protocol must be one of ${inferenceProtocols.join(', ')}, not "${protocol}"`);
  return { url, protocol: (protocol ?? 'v2') as InferenceProtocol };
}

export function registerVersions(program: Command, io: CliIo): void {
  const versions = program.command('versions').description('versions of a registered model');
  withOutput(
    versions
      .command('create')
      .description('register the next version of a model')
      .argument('<model>', 'the model name')
      .requiredOption('--artifact <uri>', 'where the trained artifact is, e.g. s3://models/credit-risk/7.pkl')
      .option('--artifact-digest <digest>', 'the artifact’s sha256:<64 hex>')
      .option('--run-id <id>', 'the training run that produced it')
      .option('--description <text>', 'what changed in this version')
      .option(
        '--lineage <file>',
        'a JSON file: what produced it (runId, sourceCommit, datasets, environment, parameters, parentRuns), or the evidence of warden capture, which it is derived from',
      )
      .option(
        '--endpoint <url>',
        'the model server serving it (http://HOST:PORT); gateways attached to the server route production traffic there',
      )
      .option(
        '--protocol <protocol>',
        `the endpoint's protocol: ${inferenceProtocols.join(', ')} (default v2)`,
      ),
  ).action(async (model: string, flags: VersionCreateFlags) => {
    const lineage = flags.lineage === undefined ? undefined : await readLineageFile(flags.lineage);
    const body = {
      artifact: {
        uri: flags.artifact,
        ...(flags.artifactDigest === undefined ? {} : { digest: flags.artifactDigest }),
      },
      ...(flags.runId === undefined ? {} : { runId: flags.runId }),
      ...(flags.description === undefined ? {} : { description: flags.description }),
      // The server checks the lineage's fields and names the wrong one.
      ...(lineage === undefined ? {} : { lineage: lineage as never }),
      ...(flags.endpoint === undefined ? {} : { endpoint: endpointOf(flags.endpoint, flags.protocol, io) }),
    };
    if (flags.endpoint === undefined && flags.protocol !== undefined)
      io.usageError('--protocol names the protocol of --endpoint; give --endpoint URL too');
    const version = await serverClient(flags).call('createVersion', { params: { model }, body });
    if (flags.json) return printJson(io, version);
    io.stdout.write(`registered ${version.model} version ${version.version}\n${versionView(version)}`);
  });

  withOutput(
    versions
      .command('set-endpoint')
      .description(
        'set or remove the model server a version is served from (for a version holding an alias: an approver)',
      )
      .argument('<model>', 'the model name')
      .argument('<version>', 'the version number')
      .option('--url <url>', 'the model server (http://HOST:PORT)')
      .option('--protocol <protocol>', `its protocol: ${inferenceProtocols.join(', ')} (default v2)`)
      .option('--remove', 'remove the endpoint: attached gateways stop serving the version'),
  ).action(
    async (
      model: string,
      version: string,
      flags: OutputFlags & { url?: string; protocol?: string; remove?: boolean },
    ) => {
      if ((flags.url === undefined) === (flags.remove !== true))
        io.usageError('give either --url URL (and --protocol) or --remove');
      if (flags.remove && flags.protocol !== undefined)
        io.usageError('--protocol goes with --url, not with --remove');
      const endpoint = flags.url === undefined ? null : endpointOf(flags.url, flags.protocol, io);
      const updated = await serverClient(flags).call('setVersionEndpoint', {
        params: { model, version },
        body: { endpoint },
      });
      if (flags.json) return printJson(io, updated);
      io.stdout.write(
        `${endpoint === null ? 'removed the endpoint of' : 'set the endpoint of'} ${model} version ${version}\n${versionView(updated)}`,
      );
    },
  );

  withOutput(
    versions
      .command('list')
      .description('a model’s versions, newest first')
      .argument('<model>', 'the model name')
      .option('--limit <n>', 'at most this many (1–1000; default 100)')
      .option('--page-token <token>', 'continue after the page that printed this token'),
  ).action(async (model: string, flags: OutputFlags & { limit?: string; pageToken?: string }) => {
    const answer = await serverClient(flags).call('listVersions', {
      params: { model },
      query: { limit: parseLimit(flags.limit), pageToken: flags.pageToken },
    });
    printList(
      io,
      flags,
      answer,
      answer.versions,
      `${model} has no versions yet; register one with warden versions create ${model} --artifact URI\n`,
      ['version', 'status', 'aliases', 'tags', 'artifact', 'run', 'created', 'by'],
      (v) => [
        v.version,
        v.status,
        v.aliases.length === 0 ? '-' : v.aliases.join(','),
        pairsText(v.tags),
        v.artifact.uri,
        dash(v.runId),
        v.createdAt,
        v.createdBy,
      ],
    );
    morePages(io, 'versions', answer.nextPageToken);
  });

  withOutput(
    versions
      .command('show')
      .description('one version with its aliases and tags')
      .argument('<model>', 'the model name, or MODEL@VERSION / MODEL@ALIAS')
      .argument('[version]', 'the version number'),
  ).action(async (model: string, version: string | undefined, flags: OutputFlags) => {
    const client = serverClient(flags);
    const alias = version === undefined ? aliasRef(model) : undefined;
    // An alias names the version in one call.
    const found =
      alias === undefined
        ? await client.call('getVersion', { params: await resolveVersion(client, model, version) })
        : await client.call('getVersionByAlias', { params: alias });
    if (flags.json) return printJson(io, found);
    io.stdout.write(versionView(found));
  });
}
