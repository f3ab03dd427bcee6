/** The streams and exit status a command works with; tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  exitCode: number;
  /** Ends the command with a usage error (exit 2). */
  usageError(message: string): never;
}

/** Colours on a terminal unless NO_COLOR is set (no-color.org), or when FORCE_COLOR asks for them. */
export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR']) return false;
  if (env['FORCE_COLOR'] && env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true;
}
