import { readFile } from 'node:fs/promises';
import { fileReadError, type WardenError } from '../core/index.js';

/** A JSON file read whole; a missing file or text that is not JSON names the file. */
export async function readJsonFile(
  file: string,
  what: string,
  notJson: (reason: string) => WardenError,
): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw fileReadError(file, error, what);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw notJson(((error as Error).message.split('\n')[0] ?? '').trim());
  }
}
