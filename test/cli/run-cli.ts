import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/warden.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A `warden` process still running: its output so far, and its exit code when it ends. */
export interface LiveCli {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  exited: Promise<number>;
}

let configHome: string | undefined;

/**
 * The XDG_CONFIG_HOME every `warden` process of this test file sees unless a test names its own,
 * so that servers keep their default keys in a temporary directory, never in the real home.
 */
export function testConfigHome(): string {
  if (configHome === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'warden-config-'));
    configHome = made;
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  }
  return configHome;
}

/** Starts the built `warden` bin as a user would (npm test builds dist/ first). */
export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): LiveCli {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: {
      ...process.env,
      NO_COLOR: '1',
      GITHUB_STEP_SUMMARY: '',
      XDG_CONFIG_HOME: testConfigHome(),
      WARDEN_AUDIT_KEY: '',
      WARDEN_WEBHOOK_KEY: '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk) => {
    output.stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output.stderr += chunk;
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
  });
  return { child, output, exited };
}

/** Runs the built `warden` bin to its end. */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const live = startCli(args, options);
  const code = await live.exited;
  return { code, ...live.output };
}

/** Bad input must never show a stack trace. */
export function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(text).not.toContain('node:internal');
}

/** Writes a test input into `dir` and returns its path. */
export async function writeFixture(dir: string, name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** The URL a started `warden gateway` prints (`listening on http://…`), once it has. */
export async function gatewayListening(live: LiveCli, waitMs = 30_000): Promise<string> {
  for (let waited = 0; waited < waitMs; waited += 50) {
    const match = /listening on (http:\/\/\S+)/.exec(live.output.stderr);
    if (match?.[1]) return match[1];
    if (live.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the gateway did not start:\n${live.output.stderr}`);
}
