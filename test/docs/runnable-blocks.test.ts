import { describe, expect, it } from 'vitest';
import { parseRunnableBlocks } from './runnable-blocks.js';

describe('parseRunnableBlocks', () => {
  it('takes only blocks tagged runnable, with their line and expected exit code', () => {
    const markdown = [
      '# Title',
      '```sh',
      'not run',
      '```',
      '```sh runnable',
      'warden check data a.csv --contract c.yaml',
      'echo done',
      '```',
      '```sh runnable exit=1',
      'warden check drift --reference a.csv --current b.csv',
      '```',
      '```text',
      'output',
      '```',
    ].join('\n');
    expect(parseRunnableBlocks(markdown)).toEqual([
      { line: 5, expectedExit: 0, script: 'warden check data a.csv --contract c.yaml\necho done' },
      { line: 9, expectedExit: 1, script: 'warden check drift --reference a.csv --current b.csv' },
    ]);
  });

  it('refuses an unknown attribute and an unclosed block, naming the line', () => {
    expect(() => parseRunnableBlocks('```sh runnable exits=1\nx\n```')).toThrow(
      'line 1: unknown attribute "exits=1" (only exit=N)',
    );
    expect(() => parseRunnableBlocks('text\n```sh runnable\nx')).toThrow(
      'line 2: a runnable block is never closed',
    );
  });
});
