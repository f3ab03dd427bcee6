import { mkdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  launchBrowser,
  seriousAxeViolations,
  signIn,
  withScreenshotOnFailure,
} from './browser.js';
import { type Person, people, type Story, tellCreditRiskStory } from './seed.js';

// The dashboard in Debian's Chromium against a real `warden server` over SQLite, seeded through
// the CLI and the API with the credit-risk story. One browser for the file; a fresh context
// (its own sessionStorage) per person. Build first: the server serves dist/web.

const updateScreenshots = process.env['WARDEN_UPDATE_SCREENSHOTS'] === '1';
const imagesDirectory = new URL('../../docs/images/', import.meta.url).pathname;

let browser: Browser;
let story: Story;
const pages: Page[] = [];

beforeAll(async () => {
  [browser, story] = await Promise.all([launchBrowser(), tellCreditRiskStory()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await story?.close();
});

async function openAs(person: Person | undefined, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  pages.push(page);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${story.server.url}/models`);
  if (person !== undefined) await signIn(page, story.tokens[person]);
  return page;
}

const test = (name: string, body: (open: typeof openAs) => Promise<void>) =>
  it(name, async () => {
    let current: Page | undefined;
    const open = async (...args: Parameters<typeof openAs>) => {
      current = await openAs(...args);
      return current;
    };
    try {
      await body(open);
    } catch (error) {
      if (current) await withScreenshotOnFailure(current, name, () => Promise.reject(error));
      throw error;
    }
  });

describe('the dashboard in a browser', () => {
  it('has an accessibility check that finds a serious violation when there is one', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.setContent(
      '<html lang="en"><title>x</title><main><img src="data:,"><button></button></main></html>',
    );
    const found = (await seriousAxeViolations(page)).map((v) => v.id);
    expect(found).toEqual(expect.arrayContaining(['image-alt', 'button-name']));
    await page.close();
  });

  test('signs in with a pasted token, shows who you are, and refuses a bad token with the server’s message', async (open) => {
    const page = await open(undefined);
    await expect.poll(() => page.title()).toBe('Warden');
    await signIn(page, 'wdn_not-a-real-token-at-all');
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/token/i);
    await expectAccessible(page, 'sign-in page');
    await signIn(page, story.tokens.viewer);
    await expect.poll(() => page.getByTestId('actor').textContent()).toBe(people.viewer.name);
    expect(await page.getByTestId('role').textContent()).toBe('viewer');
    // The token is in this tab's sessionStorage only: not in the URL, not in localStorage.
    expect(page.url()).not.toContain(story.tokens.viewer);
    expect(await page.evaluate('JSON.stringify(localStorage)')).not.toContain('wdn_');
    expect(await page.evaluate('sessionStorage.getItem("warden.token")')).toBe(story.tokens.viewer);
  });

  test('lists the models with aliases, tags, risk tier and team, and filters them', async (open) => {
    const page = await open('viewer');
    const credit = page.getByRole('row', { name: /credit-risk/ });
    await expect.poll(() => credit.textContent()).toContain('biased (v2)');
    const text = await credit.textContent();
    expect(text).toContain('high');
    expect(text).toContain('risk');
    expect(text).toContain('risk-team@example.com');
    await expect.poll(() => page.getByRole('row', { name: /churn/ }).count()).toBe(1);
    await page.getByLabel('Tag').selectOption('biased');
    await expect.poll(() => page.getByRole('row', { name: /churn/ }).count()).toBe(0);
    await page.getByLabel('Tag').selectOption('');
    await page.getByLabel('Search').fill('customers leave');
    await expect.poll(() => page.getByRole('row', { name: /credit-risk/ }).count()).toBe(0);
    await expect.poll(() => page.getByRole('row', { name: /churn/ }).count()).toBe(1);
    await page.getByLabel('Search').fill('');
    await expectAccessible(page, 'models page');
  });

  test('finds the biased version and reads why it was denied, with its evidence, lineage and audit trail', async (open) => {
    const page = await open('viewer');
    await page.getByRole('link', { name: 'biased (v2)' }).click();
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('credit-risk version 2');
    const gate = page.getByRole('article', { name: 'Gate promote:production' });
    await expect.poll(() => gate.textContent()).toContain('Denied');
    const denial = await gate
      .getByRole('row', { name: /equalized-odds/ })
      .first()
      .textContent();
    expect(denial).toContain('fail (blocking)');
    expect(denial).toMatch(/equalized odds difference above 0\.2 on Age/);
    expect(await page.getByText('biased', { exact: true }).count()).toBeGreaterThan(0);
    // The fairness chart of Age marks the group outside the band, in words as well as colour.
    const chart = page.getByRole('img', { name: /false positive rate by Age/ });
    await expect.poll(() => chart.count()).toBe(1);
    expect(await chart.locator('desc').textContent()).toMatch(/outside: \[18, 25\)/);
    await expect.poll(() => page.getByRole('table', { name: 'Data check results' }).count()).toBe(1);
    await expect
      .poll(() => page.getByRole('list', { name: /Lineage of credit-risk version 2/ }).textContent())
      .toContain('credit-train');
    const audit = page.getByRole('table', { name: /Audit entries about credit-risk v2/ });
    await expect.poll(() => audit.textContent()).toContain('promotion.denied');
    expect(await audit.textContent()).toContain('tag.set');
    await expectAccessible(page, 'version page');
    if (updateScreenshots) {
      mkdirSync(imagesDirectory, { recursive: true });
      await page.screenshot({ path: `${imagesDirectory}version-page.png`, fullPage: false });
    }

    // At about 400 px wide the page still fits: tables scroll inside their own region.
    await page.setViewportSize({ width: 400, height: 800 });
    await expect.poll(() => page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(400);
  });

  test('a contributor sees the inbox without review actions', async (open) => {
    const page = await open('contributor');
    await page.getByRole('link', { name: 'Promotions' }).click();
    await expect
      .poll(() => page.getByText('Only an approver can approve or reject this request.').count())
      .toBe(1);
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
  });

  test('the requester cannot approve their own promotion and is told why; a second approver approves with a comment', async (open) => {
    const requester = await open('requester');
    await requester.getByRole('link', { name: 'Promotions' }).click();
    const approve = requester.getByRole('button', { name: 'Approve' });
    await expect.poll(() => approve.isDisabled()).toBe(true);
    expect(await requester.getByTestId('four-eyes').textContent()).toContain('You requested this');
    await expectAccessible(requester, 'promotions inbox');
    if (updateScreenshots) {
      await requester.screenshot({ path: `${imagesDirectory}promotions-inbox.png`, fullPage: false });
    }

    const officer = await open('officer');
    await officer.getByRole('link', { name: 'Promotions' }).click();
    const officerApprove = officer.getByRole('button', { name: 'Approve' });
    await expect.poll(() => officerApprove.isEnabled()).toBe(true);
    await officerApprove.click();
    await expect.poll(() => officer.getByRole('alert').textContent()).toContain('Write a comment');
    await officer.getByLabel('Comment (required)').fill('validation report reviewed; monitors in place');
    await officerApprove.click();
    await expect
      .poll(() => officer.getByRole('status').textContent())
      .toContain('credit-risk v1 is now production');
    await expect.poll(() => officer.getByText('Nothing waits for approval.').count()).toBe(1);
    const production = await story.call('viewer', 'GET', '/api/v1/models/credit-risk/aliases/production');
    expect(production.version).toBe('1');
    const promotion = await story.call('viewer', 'GET', `/api/v1/promotions/${story.pendingPromotion}`);
    expect(promotion).toMatchObject({ status: 'completed', reviewedBy: people.officer.name });
  });

  test('shows the policies with their bindings and controls', async (open) => {
    const page = await open('viewer');
    await page.getByRole('link', { name: 'Policies' }).click();
    const fairness = page.getByRole('region', { name: 'credit-fairness', exact: true });
    await expect.poll(() => fairness.textContent()).toContain('credit-models-fair');
    expect(await fairness.textContent()).toContain('eu-ai-act:art10');
    expect(await page.getByText('revision browser-test').count()).toBe(1);
    await expectAccessible(page, 'policies page');
  });

  test('verifies the audit log on the server, filters it, and reports a tampered database as broken', async (open) => {
    const page = await open('viewer');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('button', { name: 'Verify now' }).click();
    await expect
      .poll(() => page.getByTestId('verification').textContent())
      .toMatch(/intact.*entries verified/);
    await page.getByLabel('Actor').fill(people.officer.name);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.url()).toContain('actor=otto-officer');
    await expect
      .poll(() => page.getByRole('table', { name: /Audit entries/ }).textContent())
      .toContain('promotion');
    const actors = await page.locator('table tbody tr td:nth-child(3)').allTextContents();
    expect(new Set(actors)).toEqual(new Set([people.officer.name]));
    await expectAccessible(page, 'audit page');

    const database = new Database(story.database);
    try {
      database.prepare('update audit_log set actor = ? where seq = ?').run('mallory', 4);
    } finally {
      database.close();
    }
    await page.getByRole('button', { name: 'Verify now' }).click();
    await expect
      .poll(() => page.getByTestId('verification').textContent())
      .toContain('Audit log broken at entry 4');
    expect(await page.getByTestId('verification').textContent()).toContain('mallory');
  });

  test('a revoked token sends you back to sign-in with the reason', async (open) => {
    const page = await open('contributor');
    await expect.poll(() => page.getByTestId('role').textContent()).toBe('contributor');
    await expect.poll(() => page.getByRole('row', { name: /credit-risk/ }).count()).toBe(1);
    await story.call('admin', 'DELETE', `/api/v1/tokens/${story.tokenIds.contributor}`);
    await page.getByRole('link', { name: 'Policies' }).click();
    await expect.poll(() => page.getByLabel('API token').count()).toBe(1);
    expect(await page.getByRole('status').textContent()).toMatch(/signed out/i);
    expect(await page.evaluate('sessionStorage.getItem("warden.token")')).toBeNull();
  });
});
