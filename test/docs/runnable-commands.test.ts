/**
 * Runs every shell block of README.md and docs/*.md that is tagged runnable, so that the
 * documented commands cannot drift from the code. The convention is in docs/architecture.md
 * ("Documentation that runs").
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { repoRoot } from '../cli/run-cli.js';
import { parseRunnableBlocks, type RunnableBlock } from './runnable-blocks.js';

/** What the blocks may read, copied into a fresh directory per document. */
const copiedPaths = ['examples'];
/** A block that runs longer is stopped and fails with its output so far (a loaded machine is slow). */
const blockTimeoutMs = 120_000;

const documents = [
  'README.md',
  ...(await readdir(join(repoRoot, 'docs')))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

for (const document of documents) {
  const blocks = parseRunnableBlocks(await readFile(join(repoRoot, document), 'utf8'));
  if (blocks.length === 0) continue;

  // Documents run side by side; the blocks of one document run in order.
  describe.concurrent(`runnable commands in ${document}`, () => {
    let session: DocumentSession;
    beforeAll(async () => {
      session = await DocumentSession.open();
    });
    afterAll(async () => {
      await session?.close();
    });

    for (const block of blocks) {
      it.sequential(
        `${document}:${block.line} exits ${block.expectedExit}`,
        async ({ expect }) => {
          const run = await session.run(block);
          expect(
            run.code,
            `${document}:${block.line}: expected exit ${block.expectedExit}, got ${run.code}\n` +
              `--- block ---\n${block.script}\n--- output ---\n${run.output}`,
          ).toBe(block.expectedExit);
        },
        blockTimeoutMs + 10_000,
      );
    }
  });
}

/**
 * One reader at one terminal: the blocks of a document run in order in one working directory
 * (a copy of the repository files they need), and variables a block exports are seen by the
 * blocks after it. `warden` is this checkout's bin; a server a block starts in the background
 * listens on a free port that WARDEN_PORT and WARDEN_SERVER name, and is stopped at the end.
 */
class DocumentSession {
  private readonly processGroups: number[] = [];

  private constructor(
    private readonly directory: string,
    private readonly environment: NodeJS.ProcessEnv,
  ) {}

  static async open(): Promise<DocumentSession> {
    const directory = await mkdtemp(join(tmpdir(), 'warden-docs-'));
    const work = join(directory, 'work');
    const bin = join(directory, 'bin');
    await mkdir(work);
    await mkdir(bin);
    for (const path of copiedPaths) await cp(join(repoRoot, path), join(work, path), { recursive: true });
    const shim = join(bin, 'warden');
    await writeFile(
      shim,
      `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(join(repoRoot, 'bin/warden.js'))} "$@"\n`,
    );
    await chmod(shim, 0o755);
    const port = await freePort();
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('WARDEN_')),
    );
    return new DocumentSession(directory, {
      ...inherited,
      PATH: `${bin}:${process.env['PATH'] ?? ''}`,
      NO_COLOR: '1',
      GITHUB_STEP_SUMMARY: '',
      // A server a block starts keeps its default keys here, never in the real home.
      XDG_CONFIG_HOME: join(directory, 'config'),
      WARDEN_PORT: String(port),
      WARDEN_SERVER: `http://127.0.0.1:${port}`,
    });
  }

  async run(block: RunnableBlock): Promise<{ code: number; output: string }> {
    const scriptFile = join(this.directory, 'block.sh');
    const outputFile = join(this.directory, `block-${block.line}.log`);
    const exportsFile = join(this.directory, 'exports.sh');
    await writeFile(
      scriptFile,
      `[ -f ${quote(exportsFile)} ] && . ${quote(exportsFile)}\n` +
        `trap 'export -p > ${quote(exportsFile)}' EXIT\n${block.script}\n`,
    );
    // Output goes to a file, not a pipe: a server left running in the background would hold a
    // pipe open, and the block would never be seen to end.
    const output = openSync(outputFile, 'w');
    try {
      const child = spawn('bash', ['-e', scriptFile], {
        cwd: join(this.directory, 'work'),
        env: this.environment,
        stdio: ['ignore', output, output],
        detached: true,
      });
      if (child.pid !== undefined) this.processGroups.push(child.pid);
      const code = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          killGroup(child.pid);
          resolve(-1);
        }, blockTimeoutMs);
        child.on('error', reject);
        child.on('exit', (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode ?? -1);
        });
      });
      return { code, output: await readFile(outputFile, 'utf8') };
    } finally {
      closeSync(output);
    }
  }

  async close(): Promise<void> {
    for (const group of this.processGroups) killGroup(group);
    await rm(this.directory, { recursive: true, force: true });
  }
}

function killGroup(group: number | undefined): void {
  if (group === undefined) return;
  try {
    process.kill(-group, 'SIGTERM');
  } catch {
    // the group has ended already
  }
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
