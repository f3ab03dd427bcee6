import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium, as .ci/run installs it; override with WARDEN_CHROMIUM. */
export const chromiumPath = process.env['WARDEN_CHROMIUM'] ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
  });
}

/** Where failing tests leave a screenshot: WARDEN_ARTIFACTS, else a folder in the temp directory. */
export const artifactDirectory = process.env['WARDEN_ARTIFACTS'] ?? join(tmpdir(), 'warden-web-artifacts');

/** Runs `body` on `page`; when it throws, saves a screenshot named after the test and rethrows. */
export async function withScreenshotOnFailure(
  page: Page,
  name: string,
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body();
  } catch (error) {
    mkdirSync(artifactDirectory, { recursive: true });
    const path = join(artifactDirectory, `${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
    await page.screenshot({ path, fullPage: true }).catch(() => undefined);
    (error as Error).message += `\n(screenshot: ${path})`;
    throw error;
  }
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page; returns the serious and critical violations (WCAG 2.x A and AA). */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  // Runs in the page, so it is given as source: this project is type-checked without the DOM.
  const violations = (await page.evaluate(`(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  })()`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Signs in on the dashboard's sign-in page with a pasted token. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Fails with every serious or critical axe-core violation on the page; `where` names the page. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  expect(
    violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    ),
    where,
  ).toEqual([]);
}

/**
 * Calls the API as one of a test's people with their token; a non-2xx answer throws with the
 * server's message, so a seeding step that fails says which call and why.
 */
export function apiAs<Person extends string>(baseUrl: () => string, tokens: Record<Person, string>) {
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers field by field.
  return async (person: Person, method: string, path: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens[person]}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = await response.json();
    if (!response.ok)
      throw new Error(`${method} ${path} as ${person}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
}
