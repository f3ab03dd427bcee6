import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { WardenError } from '../core/index.js';

/** What a capture records about the source: the commit, where it came from, and what was not committed. */
export interface SourceFacts {
  commit: string;
  branch: string | null;
  remote: string | null;
  dirty: boolean;
  changedPaths: string[];
}

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runGit(args: readonly string[], cwd: string): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(
            new WardenError(
              'WARDEN_ERR_REPRO_GIT_FAILED',
              `cannot run git (${error.code ?? error.message}); install git and put it on the PATH`,
              { cause: error },
            ),
          );
          return;
        }
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/** Runs git and returns its output; a failure is a fault naming the git command and its message. */
async function git(args: readonly string[], cwd: string): Promise<string> {
  const result = await runGit(args, cwd);
  if (result.code !== 0) {
    throw new WardenError(
      'WARDEN_ERR_REPRO_GIT_FAILED',
      `git ${args.join(' ')} failed in ${cwd}: ${result.stderr.trim() || `exit ${result.code}`}`,
      { where: cwd },
    );
  }
  return result.stdout;
}

/** The top directory of the git repository holding `dir`, with a commit checked out. */
export async function repositoryRoot(dir: string): Promise<string> {
  const top = await runGit(['rev-parse', '--show-toplevel'], dir);
  if (top.code !== 0) {
    throw new WardenError(
      'WARDEN_ERR_REPRO_NOT_A_REPOSITORY',
      `${dir} is not inside a git repository; a run is recorded by its commit, so run this in the repository of the training code (git init, git add, git commit first)`,
      { where: dir },
    );
  }
  const root = top.stdout.trim();
  if ((await runGit(['rev-parse', '--verify', '-q', 'HEAD^{commit}'], root)).code !== 0) {
    throw new WardenError(
      'WARDEN_ERR_REPRO_NOT_A_REPOSITORY',
      `the git repository ${root} has no commit yet; commit the training code first (git add -A && git commit)`,
      { where: root },
    );
  }
  return root;
}

/**
 * A remote URL without credentials: `https://user:token@host/x` → `https://host/x`. The query and
 * fragment go too, since tokens travel there as well. scp-style `git@host:path` names a login, not a secret.
 */
export function withoutCredentials(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url.replace(/^[^@/:]+:[^@/]*@/, '');
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'file:') return url;
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

function isUnder(path: string, parents: readonly string[]): boolean {
  return parents.some((parent) => path === parent || path.startsWith(`${parent.replace(/\/$/, '')}/`));
}

/**
 * Paths `git status` reports as changed or untracked (renames by their new path), POSIX and
 * relative to the root, leaving out those under `exclude` (the run's own outputs and evidence).
 */
export async function changedPaths(root: string, exclude: readonly string[]): Promise<string[]> {
  const status = await git(['status', '--porcelain=v1', '-z', '--untracked-files=all'], root);
  const entries = status.split('\0');
  const paths: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as string;
    if (entry.length < 4) continue;
    paths.push(entry.slice(3));
    // A rename or copy is followed by its old path.
    if (entry[0] === 'R' || entry[0] === 'C') i++;
  }
  return [...new Set(paths)].filter((path) => !isUnder(path, exclude)).sort();
}

/** The commit, branch, remote and dirty state of the repository at `root`. */
export async function sourceFacts(root: string, excludeFromDirty: readonly string[]): Promise<SourceFacts> {
  const commit = (await git(['rev-parse', 'HEAD'], root)).trim();
  const branch = await runGit(['symbolic-ref', '--short', '-q', 'HEAD'], root);
  const remotes = (await git(['remote'], root)).split('\n').filter((name) => name !== '');
  const remoteName = remotes.includes('origin') ? 'origin' : remotes[0];
  const remoteUrl =
    remoteName === undefined ? null : (await git(['remote', 'get-url', remoteName], root)).trim() || null;
  const changed = await changedPaths(root, excludeFromDirty);
  return {
    commit,
    branch: branch.code === 0 ? branch.stdout.trim() : null,
    remote: remoteUrl === null ? null : withoutCredentials(remoteUrl),
    dirty: changed.length > 0,
    changedPaths: changed,
  };
}

/** True when the repository holds `commit` as a commit object. */
export async function hasCommit(root: string, commit: string): Promise<boolean> {
  return (await runGit(['cat-file', '-e', `${commit}^{commit}`], root)).code === 0;
}

/** Paths tracked or untracked-but-not-ignored whose name matches one of the pathspecs. */
export async function listFiles(root: string, pathspecs: readonly string[]): Promise<string[]> {
  const out = await git(
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...pathspecs],
    root,
  );
  return [...new Set(out.split('\0').filter((path) => path !== ''))].sort();
}

/** A clean checkout of `commit` at `dir`, detached, sharing the repository's objects. */
export async function addWorktree(root: string, dir: string, commit: string): Promise<void> {
  await git(['worktree', 'add', '--detach', '--quiet', dir, commit], root);
}

/** Removes a worktree made by `addWorktree`, files and registration both. */
export async function removeWorktree(root: string, dir: string): Promise<void> {
  await runGit(['worktree', 'remove', '--force', dir], root);
  await rm(dir, { recursive: true, force: true });
  await runGit(['worktree', 'prune'], root);
}
