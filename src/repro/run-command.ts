import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { WardenError } from '../core/index.js';

export interface CommandStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * Runs `command` (no shell) in `cwd`, its output streamed to `streams`; resolves with its exit code,
 * 128 + the signal number when a signal ended it. A program that cannot start is bad input.
 */
export function runCommand(
  command: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  streams: CommandStreams,
): Promise<number> {
  const [program, ...args] = command;
  return new Promise((resolve, reject) => {
    const child = spawn(program as string, args, { cwd, env, stdio: ['inherit', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => streams.stdout.write(chunk));
    child.stderr.on('data', (chunk) => streams.stderr.write(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        new WardenError(
          'WARDEN_ERR_REPRO_COMMAND_NOT_FOUND',
          `cannot start ${program} in ${cwd} (${error.code ?? error.message}); check the command after -- is a program on the PATH or a path to an executable`,
          { where: program ?? cwd },
        ),
      );
    });
    child.on('close', (code, signal) => {
      resolve(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
    });
  });
}
