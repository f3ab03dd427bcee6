import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import {
  type EvidenceDocument,
  fileReadError,
  isWardenError,
  type Role,
  roles,
  WardenError,
} from '../../core/index.js';
import { readEvidenceFile } from '../../governance/index.js';
import { type EvidenceReceipt, type LineageNode, type ModelDetail, Registry } from '../../registry/index.js';
import {
  type AttachedEvidence,
  type ModelRecord,
  openStore,
  type Store,
  type TokenRecord,
  tokenRepository,
  type VersionRecord,
} from '../../store/index.js';
import type { CliIo } from '../cli-io.js';
import { type ServerClient, segment, serverClient } from '../server-client.js';
import {
  dash,
  fields,
  type OutputFlags,
  printJson,
  printList,
  serverHelp,
  table,
  withOutput,
} from './output.js';
import { databaseUrl } from './server.js';

/**
 * The registry commands: models, versions, evidence, lineage and tokens, over the HTTP API of
 * `warden server` (tokens also directly on the database with --db). Tables go to stdout; --json
 * prints the server's answer as it came, for scripts.
 */

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function pairsText(record: Record<string, string>): string {
  const entries = Object.entries(record);
  return entries.length === 0
    ? '-'
    : entries.map(([key, value]) => (value === '' ? key : `${key}=${value}`)).join(',');
}

/** `--label a=1,b=2 --label c=3` as {a:'1', b:'2', c:'3'}. */
function parseLabels(values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values) {
    for (const pair of value.split(',')) {
      if (pair.trim() === '') continue;
      const at = pair.indexOf('=');
      if (at <= 0) {
        throw new WardenError(
          'WARDEN_ERR_USAGE_INVALID_OPTION',
          `--label "${pair}" must be KEY=VALUE, such as --label domain=credit (repeat it, or separate pairs with commas)`,
        );
      }
      labels[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
  }
  return labels;
}

function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new WardenError(
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      `--limit must be a whole number from 1 to 1000, not "${value}"`,
    );
  }
  return limit;
}

function morePages(io: CliIo, what: string, token: string | undefined): void {
  if (token !== undefined) io.stderr.write(`(more ${what}: pass --page-token ${token})\n`);
}

/** A JSON file read whole; a missing file or text that is not JSON names the file. */
async function readJsonFile(
  file: string,
  what: string,
  notJson: (reason: string) => WardenError,
): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw fileReadError(file, error, what);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw notJson(((error as Error).message.split('\n')[0] ?? '').trim());
  }
}

const modelPath = (model: string) => `/api/v1/models/${segment(model)}`;
const versionPath = (model: string, version: string) => `${modelPath(model)}/versions/${segment(version)}`;

/**
 * `MODEL VERSION`, or `MODEL@VERSION`, or `MODEL@ALIAS` (looked up on the server) as a model and
 * version number.
 */
async function resolveVersion(
  client: ServerClient,
  model: string,
  version: string | undefined,
): Promise<{ model: string; version: string }> {
  if (version !== undefined) return { model, version };
  const at = model.lastIndexOf('@');
  if (at <= 0 || at === model.length - 1) {
    throw new WardenError(
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      `name the version: MODEL VERSION, MODEL@VERSION or MODEL@ALIAS (e.g. credit-risk 3, credit-risk@production), not "${model}"`,
    );
  }
  const name = model.slice(0, at);
  const ref = model.slice(at + 1);
  if (/^[0-9]+$/.test(ref)) return { model: name, version: ref };
  const found = await client.get<VersionRecord>(`${modelPath(name)}/aliases/${segment(ref)}`);
  return { model: name, version: found.version };
}

// ── models ───────────────────────────────────────────────────────────────────

interface ModelCreateFlags extends OutputFlags {
  description?: string;
  owner?: string;
  team?: string;
  label: string[];
}

interface ModelListFlags extends OutputFlags {
  team?: string;
  label: string[];
  limit?: string;
  pageToken?: string;
}

function modelView(model: ModelDetail): string {
  const text = fields([
    ['name', model.name],
    ['description', dash(model.description)],
    ['owner', dash(model.owner)],
    ['team', dash(model.team)],
    ['labels', pairsText(model.labels)],
    ['versions', model.latestVersion === 0 ? 'none yet' : `1 to ${model.latestVersion}`],
    ['created', `${model.createdAt} by ${model.createdBy}`],
    ['updated', `${model.updatedAt} by ${model.updatedBy}`],
  ]);
  const aliases =
    model.aliases.length === 0
      ? 'aliases: none\n'
      : `\naliases\n${table(
          ['alias', 'version', 'set at', 'set by'],
          model.aliases.map((a) => [a.alias, a.version, a.setAt, a.setBy]),
        )}`;
  return `${text}${aliases}`;
}

function registerModels(program: Command, io: CliIo): void {
  const models = program.command('models').description('registered models (on the Warden server)');
  withOutput(
    models
      .command('create')
      .description('register a model')
      .argument('<name>', 'the model name, e.g. credit-risk')
      .option('--description <text>', 'what the model does')
      .option('--owner <owner>', 'who answers for it')
      .option('--team <team>', 'the team it belongs to (team-scoped tokens change only their teams’ models)')
      .option(
        '--label <key=value>',
        'a label, e.g. domain=credit (repeatable, or comma-separated)',
        collect,
        [],
      ),
  ).action(async (name: string, flags: ModelCreateFlags) => {
    const labels = parseLabels(flags.label);
    const body = {
      name,
      ...(flags.description === undefined ? {} : { description: flags.description }),
      ...(flags.owner === undefined ? {} : { owner: flags.owner }),
      ...(flags.team === undefined ? {} : { team: flags.team }),
      ...(Object.keys(labels).length === 0 ? {} : { labels }),
    };
    const model = await serverClient(flags).post<ModelDetail>('/api/v1/models', body);
    if (flags.json) return printJson(io, model);
    io.stdout.write(`created model ${model.name}\n${modelView(model)}`);
  });

  withOutput(
    models
      .command('list')
      .description('list models in name order')
      .option('--team <team>', 'only this team’s models')
      .option(
        '--label <key=value>',
        'only models with this label (repeatable, or comma-separated)',
        collect,
        [],
      )
      .option('--limit <n>', 'at most this many (1–1000; default 100)')
      .option('--page-token <token>', 'continue after the page that printed this token'),
  ).action(async (flags: ModelListFlags) => {
    const labels = parseLabels(flags.label);
    const limit = parseLimit(flags.limit);
    const answer = await serverClient(flags).get<{ models: ModelRecord[]; nextPageToken?: string }>(
      '/api/v1/models',
      {
        query: {
          team: flags.team,
          label: Object.entries(labels).map(([key, value]) => `${key}:${value}`),
          limit,
          pageToken: flags.pageToken,
        },
      },
    );
    printList(
      io,
      flags,
      answer,
      answer.models,
      'no models match; register one with warden models create NAME\n',
      ['name', 'team', 'owner', 'versions', 'labels', 'updated'],
      (m) => [m.name, dash(m.team), dash(m.owner), String(m.latestVersion), pairsText(m.labels), m.updatedAt],
    );
    morePages(io, 'models', answer.nextPageToken);
  });

  withOutput(
    models.command('show').description('one model with its aliases').argument('<name>', 'the model name'),
  ).action(async (name: string, flags: OutputFlags) => {
    const model = await serverClient(flags).get<ModelDetail>(modelPath(name));
    if (flags.json) return printJson(io, model);
    io.stdout.write(modelView(model));
  });
}

// ── versions ─────────────────────────────────────────────────────────────────

interface VersionCreateFlags extends OutputFlags {
  artifact: string;
  artifactDigest?: string;
  runId?: string;
  description?: string;
  lineage?: string;
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
    ['created', `${version.createdAt} by ${version.createdBy}`],
  ]);
}

function registerVersions(program: Command, io: CliIo): void {
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
        'a JSON file: what produced it (runId, sourceCommit, datasets, environment, parameters, parentRuns)',
      ),
  ).action(async (model: string, flags: VersionCreateFlags) => {
    const lineage =
      flags.lineage === undefined
        ? undefined
        : await readJsonFile(
            flags.lineage,
            'lineage',
            (reason) =>
              new WardenError(
                'WARDEN_ERR_INPUT_FILE_UNREADABLE',
                `${flags.lineage}: the lineage file is not JSON (${reason}); write it as a JSON object with runId, sourceCommit, datasets, environment, parameters, parentRuns`,
                { where: flags.lineage as string },
              ),
          );
    if (
      lineage !== undefined &&
      (typeof lineage !== 'object' || lineage === null || Array.isArray(lineage))
    ) {
      throw new WardenError(
        'WARDEN_ERR_INPUT_FILE_UNREADABLE',
        `${flags.lineage}: the lineage file must hold a JSON object (runId, sourceCommit, datasets, …), not ${Array.isArray(lineage) ? 'an array' : JSON.stringify(lineage)}`,
      );
    }
    const body = {
      artifact: {
        uri: flags.artifact,
        ...(flags.artifactDigest === undefined ? {} : { digest: flags.artifactDigest }),
      },
      ...(flags.runId === undefined ? {} : { runId: flags.runId }),
      ...(flags.description === undefined ? {} : { description: flags.description }),
      ...(lineage === undefined ? {} : { lineage }),
    };
    const version = await serverClient(flags).post<VersionRecord>(`${modelPath(model)}/versions`, body);
    if (flags.json) return printJson(io, version);
    io.stdout.write(`registered ${version.model} version ${version.version}\n${versionView(version)}`);
  });

  withOutput(
    versions
      .command('list')
      .description('a model’s versions, newest first')
      .argument('<model>', 'the model name')
      .option('--limit <n>', 'at most this many (1–1000; default 100)')
      .option('--page-token <token>', 'continue after the page that printed this token'),
  ).action(async (model: string, flags: OutputFlags & { limit?: string; pageToken?: string }) => {
    const answer = await serverClient(flags).get<{ versions: VersionRecord[]; nextPageToken?: string }>(
      `${modelPath(model)}/versions`,
      { query: { limit: parseLimit(flags.limit), pageToken: flags.pageToken } },
    );
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
    const at = model.lastIndexOf('@');
    let found: VersionRecord;
    if (version === undefined && at > 0 && !/^[0-9]+$/.test(model.slice(at + 1))) {
      // An alias names the version in one call.
      found = await client.get<VersionRecord>(
        `${modelPath(model.slice(0, at))}/aliases/${segment(model.slice(at + 1))}`,
      );
    } else {
      const target = await resolveVersion(client, model, version);
      found = await client.get<VersionRecord>(versionPath(target.model, target.version));
    }
    if (flags.json) return printJson(io, found);
    io.stdout.write(versionView(found));
  });
}

// ── evidence ─────────────────────────────────────────────────────────────────

function receiptLine(receipt: EvidenceReceipt): string {
  return receipt.stored
    ? 'new: stored and attached'
    : receipt.attached
      ? 'already stored (same content); now attached to this version too'
      : 'already stored and attached to this version; nothing changed';
}

function modelSubject(document: EvidenceDocument): { model: string; version: string } | undefined {
  const { subject } = document;
  if (subject.type !== 'model-version' || !/^[1-9][0-9]*$/.test(subject.version)) return undefined;
  return { model: subject.name, version: subject.version };
}

function registerEvidence(program: Command, io: CliIo): void {
  const evidence = program.command('evidence').description('evidence attached to model versions');
  withOutput(
    evidence
      .command('submit')
      .description('attach an evidence file (as a check wrote it with --json) to a model version')
      .argument('<file>', 'the evidence file')
      .option('--model <name>', 'the model (default: the evidence subject, for model evidence)')
      .option(
        '--version <version>',
        'the version number (default: the evidence subject, for model evidence)',
      ),
  ).action(async (file: string, flags: OutputFlags & { model?: string; version?: string }) => {
    const document = await readEvidenceFile(file);
    const subject = modelSubject(document);
    const model = flags.model ?? subject?.model;
    const version = flags.version ?? subject?.version;
    if (model === undefined || version === undefined) {
      throw new WardenError(
        'WARDEN_ERR_USAGE_INVALID_OPTION',
        `name the model version to attach ${file} to: --model NAME --version N`,
      );
    }
    const client = serverClient(flags);
    const receipt = await client.post<EvidenceReceipt>(`${versionPath(model, version)}/evidence`, document);
    if (flags.json) return printJson(io, receipt);
    io.stdout.write(
      `${file} → ${model} version ${version}\n${fields([
        ['id', receipt.id],
        ['kind', receipt.kind],
        ['stored', receiptLine(receipt)],
      ])}`,
    );
  });

  withOutput(
    evidence
      .command('list')
      .description('evidence attached to a version, newest first')
      .argument('<model>', 'the model name, or MODEL@VERSION / MODEL@ALIAS')
      .argument('[version]', 'the version number')
      .option('--kind <kind>', 'only this kind (data-check, model-evaluation, …)')
      .option('--latest', 'only the newest of each kind'),
  ).action(
    async (
      model: string,
      version: string | undefined,
      flags: OutputFlags & { kind?: string; latest?: boolean },
    ) => {
      const client = serverClient(flags);
      const target = await resolveVersion(client, model, version);
      const answer = await client.get<{ evidence: AttachedEvidence[] }>(
        `${versionPath(target.model, target.version)}/evidence`,
        { query: { kind: flags.kind, latest: flags.latest ? 'true' : undefined } },
      );
      printList(
        io,
        flags,
        answer,
        answer.evidence,
        `no evidence on ${target.model} version ${target.version}${flags.kind ? ` of kind ${flags.kind}` : ''}; attach some with warden evidence submit FILE\n`,
        ['id', 'kind', 'result', 'produced', 'subject', 'attached by'],
        (e) => [
          e.id,
          e.kind,
          e.passed ? 'passed' : 'failed',
          e.producedAt,
          e.subject.version === undefined ? e.subject.name : `${e.subject.name}@${e.subject.version}`,
          e.attachedBy,
        ],
      );
    },
  );

  withOutput(
    evidence
      .command('show')
      .description('one evidence document, as stored (save it to pass to warden gate --evidence)')
      .argument('<id>', 'the evidence id, sha256:<64 hex>'),
  ).action(async (id: string, flags: OutputFlags) => {
    printJson(io, await serverClient(flags).get<unknown>(`/api/v1/evidence/${segment(id)}`));
  });
}

// ── lineage ──────────────────────────────────────────────────────────────────

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

function registerLineage(program: Command, io: CliIo): void {
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
    const target = await resolveVersion(client, model, version);
    const node = await client.get<LineageNode>(`${versionPath(target.model, target.version)}/lineage`);
    if (flags.json) return printJson(io, node);
    io.stdout.write(`${lineageTree(node).join('\n')}\n`);
  });
}

// ── tokens ───────────────────────────────────────────────────────────────────

interface TokenFlags extends OutputFlags {
  /** true: the database of WARDEN_DATABASE_URL (or the default); a string: that database. */
  db?: string | true;
}

interface TokenCreateFlags extends TokenFlags {
  name: string;
  role: Role;
  team: string[];
  expires?: string;
}

function withDatabase(command: Command): Command {
  return withOutput(command).option(
    '--db [url]',
    'work on the database directly instead of the server: sqlite:PATH or postgres://… (default WARDEN_DATABASE_URL, else the embedded SQLite file)',
  );
}

async function onDatabase<T>(flags: TokenFlags, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(databaseUrl(flags.db === true ? undefined : flags.db));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The token request, checked here so --db gets the same rules as the server. */
function tokenRequest(flags: TokenCreateFlags): {
  name: string;
  role: Role;
  teams?: string[];
  expiresAt?: string;
} {
  const usage = (message: string) => new WardenError('WARDEN_ERR_USAGE_INVALID_OPTION', message);
  if (!/^[A-Za-z0-9][A-Za-z0-9@._-]{0,63}$/.test(flags.name)) {
    throw usage(
      `--name "${flags.name}": a token name is 1–64 letters, digits or @ . _ - (it is the actor recorded on every change)`,
    );
  }
  const teams = flags.team
    .flatMap((team) => team.split(','))
    .map((team) => team.trim())
    .filter((t) => t !== '');
  if (flags.role === 'admin' && teams.length > 0) {
    throw usage('an admin token cannot be scoped to teams (admins manage tokens for everyone); drop --team');
  }
  let expiresAt: string | undefined;
  if (flags.expires !== undefined) {
    const at = Date.parse(flags.expires);
    if (Number.isNaN(at)) {
      throw usage(
        `--expires "${flags.expires}" is not a date and time; write ISO-8601, e.g. 2027-01-31T00:00:00Z`,
      );
    }
    if (at <= Date.now()) throw usage(`--expires ${flags.expires} is in the past; a token must expire later`);
    expiresAt = new Date(at).toISOString().replace(/\.000Z$/, 'Z');
  }
  return {
    name: flags.name,
    role: flags.role,
    ...(teams.length === 0 ? {} : { teams }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

function tokenScope(token: Pick<TokenRecord, 'role' | 'teams'>): string {
  return `${token.role}${token.teams === null ? '' : `, teams ${token.teams.join(', ')}`}`;
}

function registerTokens(program: Command, io: CliIo): void {
  const token = program
    .command('token')
    .description('API tokens: on the server with an admin token, or directly on the database with --db');

  withDatabase(
    token
      .command('create')
      .description('create a token; its secret is printed once, alone on stdout')
      .requiredOption('--name <name>', 'who the token acts as (recorded on every change it makes)')
      .addOption(new Option('--role <role>', 'what it may do').choices(roles).makeOptionMandatory())
      .option(
        '--team <team>',
        'limit changes to this team’s models (repeatable, or comma-separated)',
        collect,
        [],
      )
      .option('--expires <time>', 'when it stops working (ISO-8601, e.g. 2027-01-31T00:00:00Z)'),
  ).action(async (flags: TokenCreateFlags) => {
    const request = tokenRequest(flags);
    const created: TokenRecord & { secret: string } =
      flags.db === undefined
        ? await serverClient(flags).post<TokenRecord & { secret: string }>('/api/v1/tokens', request)
        : await onDatabase(flags, async (store) => {
            const issued = await new Registry(store).issueToken(
              {
                name: request.name,
                role: request.role,
                teams: request.teams ?? null,
                expiresAt: request.expiresAt ?? null,
              },
              'warden token create --db',
            );
            return { ...issued.token, secret: issued.secret };
          });
    io.stderr.write(
      `warden: created token ${created.id} "${created.name}" (${tokenScope(created)}${created.expiresAt ? `, expires ${created.expiresAt}` : ''}); its secret is shown once${flags.json ? ' (the secret field)' : ', on stdout'}: keep it in a secret store and pass it as WARDEN_TOKEN\n`,
    );
    if (flags.json) return printJson(io, created);
    io.stdout.write(`${created.secret}\n`);
  });

  withDatabase(token.command('list').description('list tokens (never their secrets)')).action(
    async (flags: TokenFlags) => {
      const answer =
        flags.db === undefined
          ? await serverClient(flags).get<{ tokens: TokenRecord[] }>('/api/v1/tokens')
          : await onDatabase(flags, async (store) => ({ tokens: await tokenRepository.list(store.db) }));
      printList(
        io,
        flags,
        answer,
        answer.tokens,
        'no tokens; create one with warden token create --name NAME --role ROLE\n',
        ['id', 'name', 'role', 'teams', 'created', 'by', 'expires', 'last used', 'revoked'],
        (t) => [
          t.id,
          t.name,
          t.role,
          t.teams === null ? '*' : t.teams.join(','),
          t.createdAt,
          t.createdBy,
          dash(t.expiresAt),
          dash(t.lastUsedAt),
          dash(t.revokedAt),
        ],
      );
    },
  );

  withDatabase(
    token
      .command('revoke')
      .description('revoke a token; it stops working at once')
      .argument('[id]', 'the token id, tok_… (warden token list shows them)'),
  ).action(async (given: string | undefined, flags: TokenFlags) => {
    // `token revoke --db tok_…`: the bare --db took the id as its URL.
    let id = given;
    if (id === undefined && typeof flags.db === 'string' && /^tok_/.test(flags.db)) {
      id = flags.db;
      flags.db = true;
    }
    if (id === undefined) {
      throw new WardenError(
        'WARDEN_ERR_USAGE_INVALID_OPTION',
        'name the token to revoke: warden token revoke tok_…',
      );
    }
    const revoked =
      flags.db === undefined
        ? await serverClient(flags).delete<TokenRecord>(`/api/v1/tokens/${segment(id)}`)
        : await onDatabase(flags, (store) => new Registry(store).revokeToken(id, 'warden token revoke --db'));
    if (flags.json) return printJson(io, revoked);
    io.stdout.write(
      `token ${revoked.id} "${revoked.name}" is revoked (at ${dash(revoked.revokedAt)} by ${dash(revoked.revokedBy)})\n`,
    );
  });
}

/** Registers models, versions, evidence, lineage and token. */
export function registerRegistry(program: Command, io: CliIo): void {
  registerModels(program, io);
  registerVersions(program, io);
  registerEvidence(program, io);
  registerLineage(program, io);
  registerTokens(program, io);
}

// ── check … --submit ─────────────────────────────────────────────────────────

export interface SubmitFlags {
  /** true: the check's own model version; a string: MODEL@VERSION. */
  submit?: string | true;
  server?: string;
}

export interface SubmitPlan {
  client: ServerClient;
  /** Where to; undefined means the evidence's own model-version subject. */
  target: { model: string; version: string } | undefined;
}

export function addSubmitOptions(command: Command, targetHelp: string): Command {
  return command
    .option(
      '--submit [model@version]',
      `after the check, attach its evidence on the Warden server to ${targetHelp}`,
    )
    .option('--server <url>', `with --submit: ${serverHelp}`);
}

/**
 * Checks --submit before the check runs, so a bad target or a missing token fails at once.
 * `ownVersion` is the check's own model version (check model), or undefined (check data).
 */
export function submitPlan(flags: SubmitFlags, ownVersion: string | undefined): SubmitPlan | undefined {
  if (flags.submit === undefined) return undefined;
  let target: SubmitPlan['target'];
  if (flags.submit === true) {
    if (ownVersion === undefined) {
      throw new WardenError(
        'WARDEN_ERR_USAGE_INVALID_OPTION',
        '--submit needs the model version to attach this evidence to: --submit MODEL@VERSION, e.g. --submit credit-risk@3',
      );
    }
    if (!/^[1-9][0-9]*$/.test(ownVersion)) {
      throw new WardenError(
        'WARDEN_ERR_USAGE_INVALID_OPTION',
        `--submit attaches the evidence to its model version, but --version is "${ownVersion}"; pass --version N (a registered version number), or --submit MODEL@VERSION`,
      );
    }
  } else {
    const match = /^(.+)@([1-9][0-9]*)$/.exec(flags.submit);
    if (match === null) {
      throw new WardenError(
        'WARDEN_ERR_USAGE_INVALID_OPTION',
        `--submit "${flags.submit}" must be MODEL@VERSION, e.g. credit-risk@3`,
      );
    }
    target = { model: match[1] as string, version: match[2] as string };
  }
  const client = serverClient(flags);
  client.requireToken();
  return { client, target };
}

/**
 * Attaches a check's evidence on the server and returns the exit code: the check's own, unless
 * the check passed and the upload failed (then the upload error's). The check's verdict is
 * printed already; an upload failure is printed after it, never instead of it.
 */
export async function submitCheckEvidence(
  plan: SubmitPlan | undefined,
  evidence: { subject: { type: string; name: string; version?: string } },
  checkExit: number,
  io: CliIo,
): Promise<number> {
  if (plan === undefined) return checkExit;
  const target = plan.target ?? { model: evidence.subject.name, version: evidence.subject.version ?? '' };
  try {
    const receipt = await plan.client.post<EvidenceReceipt>(
      `${versionPath(target.model, target.version)}/evidence`,
      evidence,
    );
    io.stderr.write(
      `warden: submitted evidence ${receipt.id} (${receipt.kind}) to ${target.model} version ${target.version}: ${receiptLine(receipt)}\n`,
    );
    return checkExit;
  } catch (error) {
    if (!isWardenError(error)) throw error;
    io.stderr.write(`warden: --submit failed: ${error.message}\n  [${error.code}]\n`);
    return checkExit === 0 ? error.exitCode : checkExit;
  }
}
