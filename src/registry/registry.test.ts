import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EvidenceInput, type Subject, sealEvidence, WardenError } from '../core/index.js';
import { openStore, type Store, versionRepository } from '../store/index.js';
import { testDatabases } from '../store/test-support/databases.js';
import { Registry } from './registry.js';

const digestOf = (c: string) => `sha256:${c.repeat(64)}`;

function evidenceFor(
  subject: Subject,
  options: { passed?: boolean; at?: string; inputs?: EvidenceInput[]; note?: string } = {},
) {
  return sealEvidence(
    {
      kind: subject.type === 'dataset' ? 'data-check' : 'model-evaluation',
      subject,
      inputs: options.inputs ?? [],
      passed: options.passed ?? true,
      note: options.note ?? 'x',
    },
    new Date(options.at ?? '2026-11-01T10:00:00Z'),
  );
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WardenError) return error.code;
    throw error;
  }
  return 'no error';
}

describe.each(testDatabases())('registry on $dialect', (database) => {
  let store: Store;
  let registry: Registry;
  let cleanup: () => Promise<void>;
  let url: string;

  beforeEach(async () => {
    ({ url, cleanup } = await database.fresh());
    store = await openStore(url);
    registry = new Registry(store);
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('migrates once: a second open applies nothing and keeps the data', async () => {
    await registry.createModel({ name: 'kept' }, 'alice');
    const again = await openStore(url, { migrate: false });
    try {
      expect(await again.migrate()).toEqual([]);
      expect((await new Registry(again).model('kept')).createdBy).toBe('alice');
    } finally {
      await again.close();
    }
  });

  it('creates, reads, filters and pages models; a duplicate name is a conflict', async () => {
    const created = await registry.createModel(
      {
        name: 'credit-risk',
        description: 'PD model',
        owner: 'risk-ml',
        team: 'risk',
        labels: { domain: 'credit', riskTier: 'high' },
      },
      'alice',
    );
    expect(created).toMatchObject({
      name: 'credit-risk',
      team: 'risk',
      labels: { domain: 'credit', riskTier: 'high' },
      latestVersion: 0,
      createdBy: 'alice',
      aliases: [],
    });
    expect(created.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(await codeOf(registry.createModel({ name: 'credit-risk' }, 'bob'))).toBe(
      'WARDEN_ERR_REGISTRY_CONFLICT',
    );
    for (const name of ['a', 'b', 'c', 'd'])
      await registry.createModel(
        { name, team: 'growth', labels: { domain: name === 'b' ? 'credit' : 'ads' } },
        'bob',
      );

    const first = await registry.listModels({ limit: 2 });
    expect(first.models.map((m) => m.name)).toEqual(['a', 'b']);
    const second = await registry.listModels({ limit: 2, after: first.last ?? '' });
    expect(second.models.map((m) => m.name)).toEqual(['c', 'credit-risk']);
    expect((await registry.listModels({ limit: 10, team: 'growth' })).models).toHaveLength(4);
    expect(
      (await registry.listModels({ limit: 10, labels: { domain: 'credit' } })).models.map((m) => m.name),
    ).toEqual(['b', 'credit-risk']);

    const updated = await registry.updateModel('a', { owner: 'carol', labels: { domain: 'fraud' } }, 'carol');
    expect(updated).toMatchObject({
      owner: 'carol',
      labels: { domain: 'fraud' },
      updatedBy: 'carol',
      createdBy: 'bob',
    });
    expect(await codeOf(registry.model('nope'))).toBe('WARDEN_ERR_REGISTRY_NOT_FOUND');
    expect(await codeOf(registry.updateModel('nope', { description: 'x' }, 'carol'))).toBe(
      'WARDEN_ERR_REGISTRY_NOT_FOUND',
    );
  });

  it('audits a model update with the old and new value of each field that changed, and lets a check refuse it', async () => {
    await registry.createModel(
      { name: 'm', owner: 'ana', team: 'risk', labels: { domain: 'credit', riskTier: 'high' } },
      'ana',
    );
    // The same labels in another order, and the same owner, are no change.
    await registry.updateModel(
      'm',
      { owner: 'ana', team: 'growth', labels: { riskTier: 'high', domain: 'credit' }, description: 'scores' },
      'bo',
    );
    const [entry] = (await registry.audit.page(0, 100)).filter((e) => e.action === 'model.updated');
    expect(entry?.payload).toMatchObject({
      changes: { team: { old: 'risk', new: 'growth' }, description: { old: '', new: 'scores' } },
    });
    expect(Object.keys((entry?.payload as { changes: object } | undefined)?.changes ?? {}).sort()).toEqual([
      'description',
      'team',
    ]);

    const refused = registry.updateModel('m', { labels: {} }, 'bo', {
      check: (current, changes) => {
        expect(current.labels).toEqual({ domain: 'credit', riskTier: 'high' });
        expect(changes.labels).toEqual({ old: current.labels, new: {} });
        throw new WardenError('WARDEN_ERR_GOVERNANCE_PROTECTED_LABEL', 'no');
      },
    });
    expect(await codeOf(refused)).toBe('WARDEN_ERR_GOVERNANCE_PROTECTED_LABEL');
    expect((await registry.model('m')).labels).toEqual({ domain: 'credit', riskTier: 'high' });
    expect((await registry.audit.page(0, 100)).filter((e) => e.action === 'model.updated')).toHaveLength(1);
  });

  it('numbers versions 1, 2, … and refuses a version of a missing model', async () => {
    await registry.createModel({ name: 'm' }, 'alice');
    const v1 = await registry.createVersion(
      'm',
      { artifact: { uri: 's3://models/m/1', digest: digestOf('a') }, runId: 'run-1' },
      'alice',
    );
    const v2 = await registry.createVersion(
      'm',
      { artifact: { uri: 's3://models/m/2' }, status: 'pending' },
      'bob',
    );
    expect(v1).toMatchObject({
      model: 'm',
      version: '1',
      artifact: { uri: 's3://models/m/1', digest: digestOf('a') },
      runId: 'run-1',
      status: 'ready',
      createdBy: 'alice',
    });
    expect(v2).toMatchObject({ version: '2', status: 'pending', runId: null, artifact: { digest: null } });
    expect((await registry.model('m')).latestVersion).toBe(2);
    expect(await codeOf(registry.createVersion('ghost', { artifact: { uri: 'x' } }, 'a'))).toBe(
      'WARDEN_ERR_REGISTRY_NOT_FOUND',
    );
    const err = await registry.version('m', '9').catch((e: WardenError) => e);
    expect(err).toBeInstanceOf(WardenError);
    expect((err as WardenError).message).toContain('its versions are 1 to 2');

    const page = await registry.listVersions('m', { limit: 1 });
    expect(page.versions.map((v) => v.version)).toEqual(['2']);
    expect(
      (await registry.listVersions('m', { limit: 5, before: page.last ?? 0 })).versions.map((v) => v.version),
    ).toEqual(['1']);
  });

  it('loses no update when many writers register versions of one model at once', async () => {
    await registry.createModel({ name: 'busy' }, 'alice');
    // Where replicas may share the database, a second Store is a second replica with its own pool.
    // better-sqlite3 waits for locks synchronously, so SQLite serves one process's writers.
    const replica = store.capabilities.sharedByReplicas ? await openStore(url) : store;
    try {
      const other = new Registry(replica);
      const writes = Array.from({ length: 24 }, (_, i) =>
        (i % 2 === 0 ? registry : other).createVersion(
          'busy',
          { artifact: { uri: `s3://busy/${i}` } },
          `writer-${i}`,
        ),
      );
      const versions = await Promise.all(writes);
      expect(versions.map((v) => Number(v.version)).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 24 }, (_, i) => i + 1),
      );
      expect((await registry.model('busy')).latestVersion).toBe(24);
      expect((await registry.listVersions('busy', { limit: 100 })).versions).toHaveLength(24);
    } finally {
      if (replica !== store) await replica.close();
    }
  });

  it('reads aliases (moved by governed promotions) and deletes them with an audit entry', async () => {
    await registry.createModel({ name: 'm' }, 'alice');
    await registry.createVersion('m', { artifact: { uri: 'x/1' } }, 'alice');
    await registry.createVersion('m', { artifact: { uri: 'x/2' } }, 'alice');
    const at = '2026-11-22T10:00:00Z';
    await versionRepository.setAlias(store.db, 'm', 'production', 1, 'approver-ann', at);
    await versionRepository.setAlias(store.db, 'm', 'production', 2, 'approver-ann', at);
    await versionRepository.setAlias(store.db, 'm', 'staging', 2, 'approver-ann', at);
    expect((await registry.versionByAlias('m', 'production')).version).toBe('2');
    expect((await registry.version('m', '2')).aliases).toEqual(['production', 'staging']);
    expect((await registry.version('m', '1')).aliases).toEqual([]);
    expect((await registry.model('m')).aliases.map((a) => [a.alias, a.version, a.setBy])).toEqual([
      ['production', '2', 'approver-ann'],
      ['staging', '2', 'approver-ann'],
    ]);
    expect(await registry.deleteAlias('m', 'staging', 'approver-ann')).toMatchObject({
      previousVersion: '2',
    });
    expect(await codeOf(registry.versionByAlias('m', 'staging'))).toBe('WARDEN_ERR_REGISTRY_NOT_FOUND');
    expect(await codeOf(registry.deleteAlias('m', 'staging', 'approver-ann'))).toBe(
      'WARDEN_ERR_REGISTRY_NOT_FOUND',
    );
    const last = (await registry.audit.page(0, 100)).at(-1);
    expect(last).toMatchObject({
      action: 'alias.deleted',
      actor: 'approver-ann',
      subject: { type: 'model', name: 'm' },
      payload: { alias: 'staging', previousVersion: '2' },
    });
  });

  it('writes every change to the audit log, in order, with its actor', async () => {
    await registry.createModel({ name: 'm', team: 'risk' }, 'alice');
    await registry.createVersion('m', { artifact: { uri: 'x/1' } }, 'bob');
    await registry.setTag('m', '1', 'reviewed', 'yes', 'carol');
    await registry.deleteTag('m', '1', 'reviewed', 'dave');
    const entries = await registry.audit.page(0, 100);
    expect(entries.map((e) => [e.seq, e.action, e.actor])).toEqual([
      [1, 'model.created', 'alice'],
      [2, 'version.created', 'bob'],
      [3, 'tag.set', 'carol'],
      [4, 'tag.deleted', 'dave'],
    ]);
    expect(entries[1]?.prevHash).toBe(entries[0]?.hash);
  });

  it('refuses to overwrite a tag a failing gate set', async () => {
    await registry.createModel({ name: 'm' }, 'alice');
    await registry.createVersion('m', { artifact: { uri: 'x/1' } }, 'alice');
    await versionRepository.setTag(
      store.db,
      'm',
      1,
      {
        key: 'biased',
        value: 'f/eo failed',
        source: { policy: 'f', validation: 'eo', decisionId: 'sha256:1' },
      },
      'warden',
      '2026-11-22T10:00:00Z',
    );
    expect(await codeOf(registry.setTag('m', '1', 'biased', 'no', 'carl'))).toBe(
      'WARDEN_ERR_REGISTRY_CONFLICT',
    );
    expect((await registry.version('m', '1')).tags).toEqual({ biased: 'f/eo failed' });
  });

  it('sets, overwrites and deletes tags on a version', async () => {
    await registry.createModel({ name: 'm' }, 'alice');
    await registry.createVersion('m', { artifact: { uri: 'x/1' } }, 'alice');
    await registry.setTag('m', '1', 'biased', '', 'gate');
    const tagged = await registry.setTag('m', '1', 'validation_status', 'approved', 'gate');
    expect(tagged.tags).toEqual({ biased: '', validation_status: 'approved' });
    expect(
      (await registry.setTag('m', '1', 'validation_status', 'rejected', 'gate')).tags['validation_status'],
    ).toBe('rejected');
    expect((await registry.deleteTag('m', '1', 'biased', 'ann')).tags).toEqual({
      validation_status: 'rejected',
    });
    expect(await codeOf(registry.deleteTag('m', '1', 'biased', 'ann'))).toBe('WARDEN_ERR_REGISTRY_NOT_FOUND');
    expect(await codeOf(registry.setTag('m', '4', 'x', '', 'gate'))).toBe('WARDEN_ERR_REGISTRY_NOT_FOUND');
  });

  it('stores evidence once by content, attaches it per version, and finds the latest per kind', async () => {
    await registry.createModel({ name: 'credit-risk' }, 'alice');
    await registry.createVersion('credit-risk', { artifact: { uri: 'x/1' } }, 'alice');
    await registry.createVersion('credit-risk', { artifact: { uri: 'x/2' } }, 'alice');
    const data = evidenceFor({ type: 'dataset', name: 'train' }, { at: '2026-11-01T09:00:00Z' });
    const older = evidenceFor(
      { type: 'model-version', name: 'credit-risk', version: '1' },
      { at: '2026-11-01T10:00:00Z', passed: false },
    );
    const newer = evidenceFor(
      { type: 'model-version', name: 'credit-risk', version: '1' },
      { at: '2026-11-02T10:00:00Z' },
    );

    expect(await registry.submitEvidence('credit-risk', '1', data, 'ci')).toEqual({
      id: data.id,
      kind: 'data-check',
      stored: true,
      attached: true,
      signer: null,
    });
    expect(await registry.submitEvidence('credit-risk', '1', data, 'ci')).toEqual({
      id: data.id,
      kind: 'data-check',
      stored: false,
      attached: false,
      signer: null,
    });
    expect(await registry.submitEvidence('credit-risk', '2', data, 'ci')).toMatchObject({
      stored: false,
      attached: true,
    });
    await registry.submitEvidence('credit-risk', '1', older, 'ci');
    await registry.submitEvidence('credit-risk', '1', newer, 'ci');

    const all = await registry.listEvidence('credit-risk', '1', {});
    expect(all.map((e) => e.id)).toEqual([newer.id, older.id, data.id]);
    expect(all[0]).toMatchObject({
      kind: 'model-evaluation',
      passed: true,
      attachedBy: 'ci',
      subject: { type: 'model-version', name: 'credit-risk', version: '1' },
    });
    const latest = await registry.listEvidence('credit-risk', '1', { latest: true });
    expect(latest.map((e) => [e.kind, e.id])).toEqual([
      ['data-check', data.id],
      ['model-evaluation', newer.id],
    ]);
    expect(
      (await registry.listEvidence('credit-risk', '1', { kind: 'model-evaluation' })).map((e) => e.id),
    ).toEqual([newer.id, older.id]);
    expect(JSON.parse(await registry.evidenceDocument(newer.id))).toEqual(newer);
  });

  it('refuses evidence that was altered, is not evidence, or is about another version', async () => {
    await registry.createModel({ name: 'm' }, 'alice');
    await registry.createVersion('m', { artifact: { uri: 'x/1' } }, 'alice');
    const good = evidenceFor({ type: 'model-version', name: 'm', version: '1' });
    const message = async (doc: unknown) =>
      (await registry.submitEvidence('m', '1', doc, 'ci').catch((e: WardenError) => e)) as WardenError;

    const altered = await message({ ...good, passed: false });
    expect(altered.code).toBe('WARDEN_ERR_EVIDENCE_INVALID');
    expect(altered.message).toContain('changed after it was sealed');
    expect((await message([1, 2])).code).toBe('WARDEN_ERR_EVIDENCE_INVALID');
    expect((await message({ ...good, kind: 'decision' })).message).toContain('evidence kinds are');
    const elsewhere = await message(evidenceFor({ type: 'model-version', name: 'm', version: '2' }));
    expect(elsewhere.message).toContain('not "m" version 1');
    expect(
      await codeOf(registry.submitEvidence('m', '3', evidenceFor({ type: 'dataset', name: 'd' }), 'ci')),
    ).toBe('WARDEN_ERR_REGISTRY_NOT_FOUND');
    expect(await registry.listEvidence('m', '1', {})).toEqual([]);
  });

  it('walks lineage from a version to its datasets, their checks, and parent runs', async () => {
    await registry.createModel({ name: 'features' }, 'alice');
    await registry.createModel({ name: 'credit-risk' }, 'alice');
    const trainDigest = digestOf('b');
    const check = evidenceFor(
      { type: 'dataset', name: 'train' },
      { inputs: [{ uri: 'train.csv', digest: trainDigest as `sha256:${string}`, bytes: 10, rows: 2 }] },
    );
    await registry.createVersion(
      'features',
      {
        artifact: { uri: 'f/1' },
        runId: 'run-features',
        lineage: { sourceCommit: 'abc1234', datasets: [{ name: 'raw', digest: digestOf('c') }] },
      },
      'alice',
    );
    await registry.submitEvidence('features', '1', check, 'ci');
    const version = await registry.createVersion(
      'credit-risk',
      {
        artifact: { uri: 'm/1', digest: digestOf('d') },
        runId: 'run-train',
        lineage: {
          sourceCommit: 'def5678',
          datasets: [{ name: 'train', uri: 'data/train.csv', digest: trainDigest }],
          environment: {
            lockfiles: { 'package-lock.json': digestOf('e') },
            image: `ghcr.io/acme/train@${digestOf('f')}`,
          },
          parameters: { C: 1, penalty: 'l2' },
          parentRuns: ['run-features', 'run-unknown'],
        },
      },
      'alice',
    );
    const walked = await registry.lineage('credit-risk', version.version);
    expect(walked).toMatchObject({
      model: 'credit-risk',
      version: '1',
      runId: 'run-train',
      recorded: true,
      sourceCommit: 'def5678',
      parameters: { C: 1, penalty: 'l2' },
      environment: { lockfiles: { 'package-lock.json': digestOf('e') } },
      datasets: [
        { name: 'train', digest: trainDigest, checks: [{ id: check.id, kind: 'data-check', passed: true }] },
      ],
    });
    expect(walked.parents.map((p) => [p.runId, p.versions.map((v) => `${v.model}@${v.version}`)])).toEqual([
      ['run-features', ['features@1']],
      ['run-unknown', []],
    ]);
    expect(walked.parents[0]?.versions[0]).toMatchObject({
      sourceCommit: 'abc1234',
      datasets: [{ name: 'raw', checks: [] }],
    });
    expect(await codeOf(registry.recordLineage('credit-risk', '1', { sourceCommit: 'aaaaaaa' }, 'x'))).toBe(
      'WARDEN_ERR_REGISTRY_CONFLICT',
    );
  });

  it('shows the reproducibility evidence attached to each version: captures and their verifications', async () => {
    await registry.createModel({ name: 'pm' }, 'alice');
    await registry.createVersion('pm', { artifact: { uri: 'pm/1' }, runId: 'capture-abc1234-1' }, 'alice');
    const subject: Subject = { type: 'model-version', name: 'pm', version: '1' };
    const capture = sealEvidence(
      {
        kind: 'reproducibility',
        subject,
        inputs: [],
        passed: true,
        run: { runId: 'capture-abc1234-1', command: ['python3', 'train.py'], exitCode: 0 },
        source: { commit: 'abc1234', branch: 'main', remote: null, dirty: true, changedPaths: ['train.py'] },
      },
      new Date('2026-11-01T10:00:00Z'),
    );
    const verification = sealEvidence(
      {
        kind: 'reproducibility',
        subject,
        inputs: [],
        passed: false,
        run: { runId: 'capture-abc1234-1', command: ['python3', 'train.py'], exitCode: 0 },
        source: { commit: 'abc1234', branch: 'main', remote: null, dirty: true, changedPaths: ['train.py'] },
        verification: { capture: capture.id, reproducible: false, mode: 'digest', runs: 2, differences: [] },
      },
      new Date('2026-11-02T10:00:00Z'),
    );
    const oddlyShaped = sealEvidence(
      { kind: 'reproducibility', subject, inputs: [], passed: true, source: 'elsewhere' },
      new Date('2026-10-01T10:00:00Z'),
    );
    for (const evidence of [capture, verification, oddlyShaped]) {
      await registry.submitEvidence('pm', '1', evidence, 'ci');
    }
    const walked = await registry.lineage('pm', '1');
    expect(walked.recorded).toBe(false);
    expect(walked.reproducibility).toEqual([
      {
        id: verification.id,
        role: 'verification',
        producedAt: '2026-11-02T10:00:00Z',
        passed: false,
        runId: 'capture-abc1234-1',
        commit: 'abc1234',
        dirty: true,
        reproducible: false,
        capture: capture.id,
      },
      {
        id: capture.id,
        role: 'capture',
        producedAt: '2026-11-01T10:00:00Z',
        passed: true,
        runId: 'capture-abc1234-1',
        commit: 'abc1234',
        dirty: true,
        reproducible: null,
        capture: null,
      },
      {
        id: oddlyShaped.id,
        role: 'capture',
        producedAt: '2026-10-01T10:00:00Z',
        passed: true,
        runId: null,
        commit: null,
        dirty: null,
        reproducible: null,
        capture: null,
      },
    ]);
  });

  it('cuts a lineage cycle instead of walking it forever', async () => {
    await registry.createModel({ name: 'loop' }, 'alice');
    await registry.createVersion(
      'loop',
      { artifact: { uri: 'l/1' }, runId: 'run-a', lineage: { parentRuns: ['run-b'] } },
      'alice',
    );
    await registry.createVersion(
      'loop',
      { artifact: { uri: 'l/2' }, runId: 'run-b', lineage: { parentRuns: ['run-a'] } },
      'alice',
    );
    const walked = await registry.lineage('loop', '1');
    const back = walked.parents[0]?.versions[0]?.parents[0]?.versions[0];
    expect(back).toMatchObject({ version: '1', truncated: 'cycle' });
    const unrecorded = await registry.createVersion('loop', { artifact: { uri: 'l/3' } }, 'alice');
    expect(await registry.lineage('loop', unrecorded.version)).toMatchObject({
      recorded: false,
      datasets: [],
      parents: [],
    });
  });
});
