import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEvidenceKeyPair,
  evidenceSigningKey,
  mulberry32,
  type Role,
  sealEvidence,
  signEvidence,
} from '../../src/core/index.js';
import { createBaselineEvidence } from '../../src/drift/index.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { issueToken, openStore } from '../../src/store/index.js';
import { apiAs, expectAccessible, launchBrowser, signIn, withScreenshotOnFailure } from './browser.js';

// The Waivers and Runtime pages in Debian's Chromium against a real `warden server` over SQLite,
// seeded through the API. The rollouts are real: the server's runtime loop runs them (one rolled
// back for lack of traffic within seconds, one left running at its first step). The monitor-status
// evidence is signed with a registered key, as a gateway signs its windows. Build first: the server
// serves dist/web.

const people = {
  admin: { name: 'ada-admin', role: 'admin' },
  viewer: { name: 'vera-viewer', role: 'viewer' },
  contributor: { name: 'carl-contributor', role: 'contributor' },
  ann: { name: 'ann-approver', role: 'approver' },
  otto: { name: 'otto-officer', role: 'approver' },
} as const satisfies Record<string, { name: string; role: Role }>;
type Person = keyof typeof people;

/** Gates open, and one policy at the model gate to waive. */
const policySet = `apiVersion: warden.dev/v1
kind: GateDefaults
metadata:
  name: open
spec:
  gates:
    "promote:*": { onNoPolicy: allow }
    runtime: { onNoPolicy: allow }
---
apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: credit-fairness
spec:
  validations:
    - name: equalized-odds
      expression: subject.name != ''
    - name: demographic-parity
      expression: subject.name != ''
---
apiVersion: warden.dev/v1
kind: PolicyBinding
metadata:
  name: credit-fairness-at-model
spec:
  policyName: credit-fairness
  gates: [model]
  action: warn
`;

const slo = (name: string, objective: number, indicator: object) => ({
  apiVersion: 'warden.dev/v1',
  kind: 'ServiceLevelObjective',
  metadata: { name },
  spec: { model: 'fraud', objective, period: '30d', indicator },
});

const gatewayPair = createEvidenceKeyPair();
const gatewayKey = evidenceSigningKey(gatewayPair.privateKeyPem, 'the gateway key');
const pipelinePair = createEvidenceKeyPair();
const pipelineKey = evidenceSigningKey(pipelinePair.privateKeyPem, 'the pipeline key');

/** The pipeline's signed drift baseline of the fraud features: rollouts need one on production. */
async function signedBaseline(dir: string) {
  const random = mulberry32(7);
  const rows = Array.from(
    { length: 1000 },
    () =>
      `${(20 + random() * 80).toFixed(2)},${random().toFixed(3)},${Math.floor(random() * 24)},${(0.45 + random() * 0.1).toFixed(4)}`,
  );
  const file = join(dir, 'reference.csv');
  writeFileSync(file, `amount,merchant_risk,hour,score\n${rows.join('\n')}\n`);
  return signEvidence(await createBaselineEvidence({ file, windowRows: 200 }), pipelineKey);
}

/** A window of fraud v2's traffic as a gateway seals and signs it: one feature drifted, a ticket-level burn. */
function signedWindow(version: string) {
  const end = new Date(Math.floor(Date.now() / 1000) * 1000);
  return signEvidence(
    sealEvidence(
      {
        kind: 'monitor-status',
        subject: { type: 'model-version', name: 'fraud', version },
        inputs: [],
        passed: true,
        window: {
          start: new Date(end.getTime() - 60_000).toISOString(),
          end: end.toISOString(),
          seconds: 60,
        },
        requests: { total: 1200, errors: 0, errorRatio: 0, undecodable: 0 },
        latency: { p50: 0.012, p95: 0.04, p99: 0.081 },
        features: [
          { name: 'amount', method: 'psi', score: 0.04, threshold: 0.1, drifted: false },
          { name: 'merchant_risk', method: 'psi', score: 0.31, threshold: 0.1, drifted: true },
          { name: 'hour', method: 'ks', score: 0.6, threshold: 0.05, drifted: false },
        ],
        prediction: { name: 'score', method: 'ks', score: 0.3, threshold: 0.05, drifted: false },
        datasetDrift: { driftedShare: 1 / 3, driftShare: 0.5, drifted: false },
        sampling: { ratio: 1, decoded: 1200 },
        replicas: 1,
        slo: [
          {
            name: 'fraud-availability',
            objective: 99.9,
            indicator: 'availability',
            budgetRemaining: 0.62,
            burnRates: { '5m': 0, '1h': 3.1, '6h': 1.4 },
            alert: 'ticket',
          },
          {
            name: 'fraud-latency',
            objective: 95,
            indicator: 'latency',
            budgetRemaining: 0.97,
            burnRates: { '5m': 0.2, '1h': 0.1, '6h': null },
            alert: null,
          },
        ],
      },
      end,
    ),
    gatewayKey,
  );
}

let browser: Browser;
let server: RunningServer;
let work: string;
let clockOffsetMs = 0;
const tokens = {} as Record<Person, string>;
const day = 86_400_000;

const call = apiAs(() => server.url, tokens);

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  for (const started = Date.now(); Date.now() - started < ms; ) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not happen within ${ms} ms`);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'warden-web-runtime-'));
  const store = await openStore(`sqlite:${join(work, 'db', 'warden.db')}`);
  for (const [person, { name, role }] of Object.entries(people) as [Person, (typeof people)[Person]][]) {
    tokens[person] = (
      await issueToken(store.db, { name, role, teams: null, expiresAt: null }, 'test')
    ).secret;
  }
  [browser, server] = await Promise.all([
    launchBrowser(),
    startServer({
      store,
      host: '127.0.0.1',
      port: 0,
      logLevel: false,
      runtime: { tickMs: 100 },
      clock: () => new Date(Date.now() + clockOffsetMs),
      auditKeyPath: join(work, 'keys', 'audit-signing.key'),
    }),
  ]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function openAs(person: Person, path: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${server.url}${path}`);
  await signIn(page, tokens[person]);
  await page.getByRole('heading', { level: 1 }).waitFor();
  return page;
}

/**
 * At a narrow width the page does not scroll sideways: only wide tables scroll, inside their own
 * region. Names what sticks out when something does.
 */
async function expectNoSidewaysScroll(page: Page) {
  const wide = await page.evaluate<string[]>(`[...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
    .filter((e) => !e.parentElement.closest('.table-scroll') && !e.parentElement.closest('svg'))
    .map((e) => e.tagName + ' ' + e.textContent.slice(0, 40) + ' ' + Math.round(e.getBoundingClientRect().right))
    .slice(0, 8)`);
  expect(wide).toEqual([]);
  expect(
    await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'),
  ).toBeLessThanOrEqual(0);
}

/** With WARDEN_UPDATE_SCREENSHOTS=1, the page as docs/dashboard.md shows it. */
async function documentationScreenshot(page: Page, name: string) {
  if (process.env['WARDEN_UPDATE_SCREENSHOTS'] !== '1') return;
  await page.screenshot({
    path: new URL(`../../docs/images/${name}`, import.meta.url).pathname,
    fullPage: true,
  });
}

/** A test whose failure leaves a screenshot of the page it was on. */
const test = (name: string, body: (open: typeof openAs) => Promise<void>) =>
  it(name, async () => {
    let current: Page | undefined;
    try {
      await body(async (...args) => {
        await current?.context().close();
        current = await openAs(...args);
        return current;
      });
    } catch (error) {
      if (current) await withScreenshotOnFailure(current, name, () => Promise.reject(error));
      throw error;
    } finally {
      await current?.context().close();
    }
  });

describe('the Waivers and Runtime pages in a browser', () => {
  test('say honestly that there is nothing yet on a fresh server', async (open) => {
    const waivers = await open('viewer', '/waivers');
    await waivers.getByText('No waiver was requested yet.').waitFor();
    expect(await waivers.getByRole('button', { name: 'Request waiver' }).count()).toBe(0);
    await expectAccessible(waivers, 'waivers, empty');

    const runtime = await open('ann', '/runtime');
    await runtime.getByText(/Nothing is served: no model has a version on its/).waitFor();
    await runtime.getByText('No canary rollout has run.').waitFor();
    await expectAccessible(runtime, 'runtime, empty');
  });

  describe('with waivers and served models', () => {
    let requestedByAnn: string;
    let dueForAudit: string;

    beforeAll(async () => {
      await call('admin', 'PUT', '/api/v1/policy-set', {
        files: [{ path: 'policies.yaml', content: policySet }],
        revision: 'web-runtime',
      });
      for (const [name, pair] of [
        ['gateway', gatewayPair],
        ['pipeline', pipelinePair],
      ] as const) {
        await call('admin', 'POST', '/api/v1/signing-keys', { name, publicKey: pair.publicKeyPem });
      }
      for (const model of ['credit-risk', 'fraud']) {
        await call('contributor', 'POST', '/api/v1/models', { name: model, labels: { riskTier: 'high' } });
      }
      await call('contributor', 'POST', '/api/v1/models/credit-risk/versions', {
        artifact: { uri: 's3://models/credit-risk/1' },
      });
      await call('contributor', 'POST', '/api/v1/promotions', {
        model: 'credit-risk',
        version: '1',
        alias: 'production',
      });
      for (const version of [1, 2, 3, 4]) {
        await call('contributor', 'POST', '/api/v1/models/fraud/versions', {
          artifact: { uri: `s3://models/fraud/${version}` },
          endpoint: { url: `http://127.0.0.1:9/fraud-v${version}` },
        });
      }
      for (const version of ['1', '2']) {
        const promoted = await call('contributor', 'POST', '/api/v1/promotions', {
          model: 'fraud',
          version,
          alias: 'production',
        });
        expect(promoted.status).toBe('completed');
      }
      await call('contributor', 'PUT', '/api/v1/models/fraud/slos', {
        slos: [
          slo('fraud-availability', 99.9, { availability: {} }),
          slo('fraud-latency', 95, { latency: { le: 0.1 } }),
        ],
      });
      await call(
        'contributor',
        'POST',
        '/api/v1/models/fraud/versions/2/evidence',
        await signedBaseline(work),
      );
      await call('contributor', 'POST', '/api/v1/models/fraud/versions/2/evidence', signedWindow('2'));

      // A canary with no traffic: each 1-second interval has no data, which counts as a failed check
      // at once (maxNoData 1), and one failed check rolls it back (threshold 1).
      const failing = await call('contributor', 'POST', '/api/v1/models/fraud/rollouts', {
        version: '3',
        steps: [10, 50, 100],
        intervalSeconds: 1,
        threshold: 1,
        maxNoData: 1,
        comment: 'canary of the retrained model',
      });
      await until('the canary without traffic rolled back', async () => {
        const rollout = await call('viewer', 'GET', '/api/v1/models/fraud/rollout');
        return rollout.id === failing.id && rollout.status === 'rolled-back' ? rollout : undefined;
      });
      // Left running at its first step (the interval is an hour): the traffic split has a canary.
      await call('contributor', 'POST', '/api/v1/models/fraud/rollouts', {
        version: '4',
        steps: [5, 25, 100],
        intervalSeconds: 3600,
      });

      requestedByAnn = (
        await call('ann', 'POST', '/api/v1/waivers', {
          model: 'credit-risk',
          version: '1',
          policy: 'credit-fairness',
          validation: 'demographic-parity',
          reason: 'The parity gap is within the regulator-agreed band for the pilot region.',
          expiresIn: '30d',
        })
      ).id;
      dueForAudit = (
        await call('contributor', 'POST', '/api/v1/waivers', {
          model: 'credit-risk',
          version: '1',
          policy: 'credit-fairness',
          reason: 'Manual review of every declined application until the retrain ships.',
          expiresIn: '30d',
          auditDueIn: '1d',
        })
      ).id;
      await call('otto', 'POST', `/api/v1/waivers/${dueForAudit}/approve`, {
        comment: 'compensating control seen',
      });
      const ending = await call('contributor', 'POST', '/api/v1/waivers', {
        model: 'credit-risk',
        version: '1',
        policy: 'credit-fairness',
        validation: 'equalized-odds',
        reason: 'Retrain lands next week; the gap is under watch by the risk office.',
        expiresIn: '3d',
      });
      await call('ann', 'POST', `/api/v1/waivers/${ending.id}/approve`, { comment: 'short bridge only' });
    }, 60_000);

    test('a contributor requests a waiver with the form and cannot decide it', async (open) => {
      const page = await open('contributor', '/waivers');
      await page.locator('summary', { hasText: 'Request a waiver' }).click();
      await page.getByLabel('Model', { exact: true }).selectOption('credit-risk');
      await page.getByLabel('Version', { exact: true }).selectOption('1');
      await page.getByLabel('Policy', { exact: true }).selectOption('credit-fairness');
      await page.getByLabel('Validation', { exact: true }).selectOption('equalized-odds');
      await page.getByLabel('Reason', { exact: true }).fill('too short');
      await page.getByRole('button', { name: 'Request waiver' }).click();
      await page
        .getByText(/at least 20 characters/)
        .first()
        .waitFor();
      await page
        .getByLabel('Reason', { exact: true })
        .fill('Bias fix is in review; approvals are held to manual review meanwhile.');
      const inTwentyDays = new Date(Date.now() + 20 * day).toISOString().slice(0, 10);
      await page.getByLabel('Expires on', { exact: true }).fill(inTwentyDays);
      await page.getByRole('button', { name: 'Request waiver' }).click();
      await page
        .getByRole('status')
        .getByText(/Requested waiver wvr_/)
        .waitFor();

      const { waivers } = await call('viewer', 'GET', '/api/v1/waivers?status=requested');
      const mine = waivers.find((w: { requestedBy: string }) => w.requestedBy === 'carl-contributor');
      expect(mine).toMatchObject({
        policy: 'credit-fairness',
        validation: 'equalized-odds',
        model: 'credit-risk',
      });
      expect(Date.parse(mine.expiresAt) - Date.now()).toBeGreaterThan(19 * day);
      expect(Date.parse(mine.expiresAt) - Date.now()).toBeLessThan(21 * day);

      const card = page.getByRole('article').filter({ hasText: 'Bias fix is in review' });
      await card.getByText('An approver other than the requester decides this request.').waitFor();
      expect(await card.getByRole('button', { name: 'Approve' }).count()).toBe(0);
      await expectAccessible(page, 'waivers, contributor');
    });

    test('an approver cannot approve their own request (the reason shown) but approves another with a required comment', async (open) => {
      const page = await open('ann', '/waivers');
      const own = page.getByRole('article').filter({ hasText: 'regulator-agreed band' });
      await expect(own.getByRole('button', { name: 'Approve' }).isDisabled()).resolves.toBe(true);
      await expect(own.getByRole('button', { name: 'Reject' }).isDisabled()).resolves.toBe(true);
      await own
        .getByText('You requested this, so another approver must review it (four-eyes rule).')
        .waitFor();

      const carls = page.getByRole('article').filter({ hasText: 'Bias fix is in review' });
      await carls.getByRole('button', { name: 'Approve' }).click();
      await carls
        .getByRole('alert')
        .getByText(/Write why you approve it/)
        .waitFor();
      await carls.getByLabel('Comment (required)').fill('Manual review in place; checked the queue.');
      await carls.getByRole('button', { name: 'Approve' }).click();
      await page
        .getByRole('status')
        .getByText(/Approved waiver wvr_/)
        .waitFor();
      await page.getByRole('region', { name: 'Active waivers' }).getByText('Bias fix is in review').waitFor();
      await page
        .getByRole('region', { name: /ending within 7 days/ })
        .getByText('Retrain lands next week')
        .waitFor();
      await expectAccessible(page, 'waivers, approver');
    });

    test('a second approver approves, revokes, and records the audit the requester may not', async (open) => {
      let page = await open('otto', '/waivers');
      const anns = page.getByRole('article').filter({ hasText: 'regulator-agreed band' });
      await anns.getByLabel('Comment (required)').fill('Band agreed with the regulator; see ticket RISK-12.');
      await anns.getByRole('button', { name: 'Approve' }).click();
      await page
        .getByRole('status')
        .getByText(/Approved waiver/)
        .waitFor();

      const active = page.getByRole('region', { name: 'Active waivers' });
      const carls = active.getByRole('row').filter({ hasText: 'Bias fix is in review' });
      await carls.getByText('Revoke or audit').click();
      await carls.getByLabel(/Comment/).fill('The fix shipped; the exception is no longer needed.');
      await carls.getByRole('button', { name: 'Revoke' }).click();
      await page
        .getByRole('status')
        .getByText(/Revoked waiver/)
        .waitFor();
      await page
        .getByRole('region', { name: 'Rejected and revoked waivers' })
        .getByText('Bias fix is in review')
        .waitFor();

      // ann requested her waiver, so she may not audit it; otto records the finding.
      page = await open('ann', '/waivers');
      const annsRow = page
        .getByRole('region', { name: 'Active waivers' })
        .getByRole('row')
        .filter({ hasText: 'regulator-agreed band' });
      await annsRow.getByText('Revoke or audit').click();
      await expect(annsRow.getByRole('button', { name: 'Record audit' }).isDisabled()).resolves.toBe(true);
      await annsRow.getByText(/another approver must audit it/).waitFor();

      page = await open('otto', '/waivers');
      const row = page
        .getByRole('region', { name: 'Active waivers' })
        .getByRole('row')
        .filter({ hasText: 'regulator-agreed band' });
      await row.getByText('Revoke or audit').click();
      await row.getByLabel(/audit finding/).fill('Parity gap held at 0.07 in production; no complaints.');
      await row.getByRole('button', { name: 'Record audit' }).click();
      await page
        .getByRole('status')
        .getByText(/Recorded the audit of waiver/)
        .waitFor();
      await page.getByText('“Parity gap held at 0.07 in production; no complaints.”').waitFor();

      const audited = await call('viewer', 'GET', `/api/v1/waivers/${requestedByAnn}`);
      expect(audited).toMatchObject({
        status: 'approved',
        decidedBy: 'otto-officer',
        auditedBy: 'otto-officer',
      });
      const revoked = (await call('viewer', 'GET', '/api/v1/waivers?status=revoked')).waivers;
      expect(revoked.map((w: { decidedBy: string }) => w.decidedBy)).toEqual(['otto-officer']);
    });

    test('the Runtime page shows the production version, the canary split, SLO budgets, drift and the rollouts’ history', async (open) => {
      const page = await open('viewer', '/runtime');
      const fraud = page.getByRole('article', { name: /fraud: production is v2/ });
      await fraud.getByText('http://127.0.0.1:9/fraud-v2').waitFor();
      await fraud.locator('figcaption', { hasText: 'v2 (stable) 95%, v4 (canary) 5%' }).waitFor();
      const sloTable = fraud.getByRole('table', { name: 'Service level objectives of fraud' });
      const availability = sloTable.getByRole('row').filter({ hasText: 'fraud-availability' });
      await availability.getByText('62%').waitFor();
      await availability.getByText('1h: 3.1').waitFor();
      await availability.getByText('ticket', { exact: true }).waitFor();
      const budget = fraud.getByRole('img', { name: /Error budget left/ });
      expect(await budget.getAttribute('aria-labelledby')).toBeTruthy();
      await budget.getByText('97% left').waitFor();
      const drift = fraud.getByRole('img', { name: /Live drift per feature of fraud/ });
      await drift.getByText('3.1× ⚠', { exact: true }).waitFor();
      const merchantRisk = fraud
        .getByRole('table', { name: /Live drift of fraud/ })
        .getByRole('row')
        .filter({ hasText: 'merchant_risk' });
      await merchantRisk.getByText('drifted', { exact: true }).waitFor();
      await merchantRisk.getByText('at or above 0.1').waitFor();
      await drift.getByText('below its threshold (1×)').waitFor();
      await drift.getByText('score (prediction)', { exact: true }).waitFor();
      await fraud.getByText('signed by gateway').waitFor();
      expect(await fraud.getByRole('button', { name: 'Roll back' }).count()).toBe(0);
      expect(await page.getByText(/Roll back production of/).count()).toBe(0);

      // credit-risk holds production but has no model server: said, not hidden.
      const credit = page.getByRole('article', { name: /credit-risk: production is v1/ });
      await credit.getByText(/has no endpoint, so it is not served/).waitFor();
      await credit.getByText(/No signed monitor-status evidence about v1 yet/).waitFor();

      const rollouts = page.getByRole('table', { name: 'Canary rollouts, newest first' });
      await rollouts.getByRole('row').filter({ hasText: 'v4 beside v2' }).getByText('running').waitFor();
      const failed = rollouts.getByRole('row').filter({ hasText: 'v3 beside v2' });
      await failed.getByText('rolled-back').waitFor();
      await failed.getByRole('button', { name: /Step history/ }).click();
      const history = page.getByRole('table', { name: /History of rollout rol_.*fraud v3 beside v2/ });
      await history.getByText('started beside stable v2: canary of the retrained model').waitFor();
      await history.getByText('no-data').first().waitFor();
      await history.getByText(/fewer than 20 — failed checks 1 of 1/).waitFor();
      await history.getByText('rolled back', { exact: true }).waitFor();
      await history
        .getByText(/canary: 0 req|canary: —/)
        .first()
        .waitFor();
      await expectAccessible(page, 'runtime, viewer');
      await documentationScreenshot(page, 'runtime-page.png');

      const narrow = await open('viewer', '/runtime', { width: 400, height: 800 });
      await narrow.getByRole('article', { name: /fraud: production is v2/ }).waitFor();
      await expectNoSidewaysScroll(narrow);
    });

    test('the rollout history API answers one rollout with its checks, and refuses what it does not know', async () => {
      const { rollouts } = await call('viewer', 'GET', '/api/v1/rollouts?all=true');
      const rolledBack = rollouts.find((r: { status: string }) => r.status === 'rolled-back');
      const answer = await call('viewer', 'GET', `/api/v1/models/fraud/rollouts/${rolledBack.id}`);
      expect(answer).toMatchObject({ id: rolledBack.id, version: '3', status: 'rolled-back' });
      expect(answer.history.map((e: { action: string }) => e.action)).toEqual([
        'rollout.started',
        'rollout.check',
        'rollout.rolled_back',
      ]);
      const check = answer.history[1];
      expect(check.details).toMatchObject({
        outcome: 'no-data',
        step: 1,
        weight: 10,
        failedChecks: 1,
        threshold: 1,
      });
      expect(check.details.rollout).toBeUndefined();
      expect(
        answer.history.every(
          (e: { seq: number }, i: number, all: { seq: number }[]) =>
            i === 0 || e.seq > (all[i - 1] as { seq: number }).seq,
        ),
      ).toBe(true);

      const wrongModel = await fetch(`${server.url}/api/v1/models/credit-risk/rollouts/${rolledBack.id}`, {
        headers: { authorization: `Bearer ${tokens.viewer}` },
      });
      expect(wrongModel.status).toBe(404);
      expect(((await wrongModel.json()) as { error: { code: string } }).error.code).toBe(
        'WARDEN_ERR_REGISTRY_NOT_FOUND',
      );
      const badId = await fetch(`${server.url}/api/v1/models/fraud/rollouts/rollout-1`, {
        headers: { authorization: `Bearer ${tokens.viewer}` },
      });
      expect(badId.status).toBe(400);
      expect(((await badId.json()) as { error: { message: string } }).error.message).toContain(
        'rol_0123456789ab',
      );
      const anonymous = await fetch(`${server.url}/api/v1/models/fraud/rollouts/${rolledBack.id}`);
      expect(anonymous.status).toBe(401);
    });

    test('an approver rolls production back with a required reason', async (open) => {
      const page = await open('ann', '/runtime');
      const fraud = page.getByRole('article', { name: /fraud: production is v2/ });
      await fraud.getByText('Roll back production of fraud').click();
      await fraud.getByRole('button', { name: 'Roll back' }).click();
      await fraud
        .getByRole('alert')
        .getByText(/Write why production is rolled back/)
        .waitFor();
      await fraud
        .getByLabel('Reason (required)')
        .fill('Chargebacks up 30% since v2; back to v1 while we look.');
      await fraud.getByRole('button', { name: 'Roll back' }).click();
      await page
        .getByRole('status')
        .getByText('Rolled back fraud: production moved from v2 to v1; v2 is tagged rolled-back.')
        .waitFor();
      await page.getByRole('article', { name: /fraud: production is v1/ }).waitFor();
      const version = await call('viewer', 'GET', '/api/v1/models/fraud/versions/2');
      expect(Object.keys(version.tags)).toContain('rolled-back');
      const contributor = await fetch(`${server.url}/api/v1/models/fraud/rollback`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.contributor}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'not mine to do' }),
      });
      expect(contributor.status).toBe(403);
    });

    test('an audit past due on a serving version is listed as overdue', async (open) => {
      clockOffsetMs = 2 * day;
      try {
        const { waivers } = await call('viewer', 'GET', '/api/v1/waivers?overdue=true');
        expect(waivers.map((w: { id: string }) => w.id)).toEqual([dueForAudit]);
        const page = await open('viewer', '/waivers');
        const overdue = page.getByRole('region', { name: /whose post-deployment audit is past due/ });
        const row = overdue
          .getByRole('row')
          .filter({ hasText: 'Manual review of every declined application' });
        await row.getByText('overdue', { exact: true }).waitFor();
        await row.getByText('serving production').waitFor();
        await page
          .getByTestId('waiver-counts')
          .getByText(/1 needing attention on serving versions/)
          .waitFor();
        await expectAccessible(page, 'waivers, overdue');
        await documentationScreenshot(page, 'waivers-page.png');
        await expectNoSidewaysScroll(await open('viewer', '/waivers', { width: 400, height: 800 }));
      } finally {
        clockOffsetMs = 0;
      }
    });
  });
});
