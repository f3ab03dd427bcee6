import { WardenError } from './errors.js';

/** The coded error for a file that cannot be read, with the fix for the usual causes. */
export function fileReadError(file: string, error: unknown, what: string): WardenError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new WardenError(
      'WARDEN_ERR_INPUT_FILE_NOT_FOUND',
      `${file}: no such ${what} file; check the path`,
      {
        where: file,
      },
    );
  }
  if (code === 'EISDIR') {
    return new WardenError(
      'WARDEN_ERR_INPUT_FILE_NOT_FOUND',
      `${file}: is a directory, not a ${what} file; name the file itself`,
      { where: file },
    );
  }
  return new WardenError(
    'WARDEN_ERR_INPUT_FILE_UNREADABLE',
    `${file}: cannot read the ${what} file (${code ?? String(error)}); check its permissions`,
    { where: file, cause: error },
  );
}
