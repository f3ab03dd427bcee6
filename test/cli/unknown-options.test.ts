import { describe, expect, it } from 'vitest';
import { expectNoStackTrace, runCli } from './run-cli.js';

/**
 * An unknown option is named before anything else, even before missing mandatory options, with
 * the nearest known option: a mistyped flag is the likelier mistake.
 */
describe('unknown options', () => {
  it.each([
    [
      'check model (its --target missing too)',
      ['check', 'model', 'p.csv', '--scroe', 'score'],
      '--scroe',
      '--score',
    ],
    [
      'versions create (its --artifact missing too)',
      ['versions', 'create', 'm', '--artefact', 'x'],
      '--artefact',
      '--artifact',
    ],
    [
      'waiver request (every mandatory option missing)',
      ['waiver', 'request', '--modle', 'm'],
      '--modle',
      '--model',
    ],
    [
      'gate (its --policies missing too)',
      ['gate', 'model', '--evidnce', 'e.json'],
      '--evidnce',
      '--evidence',
    ],
  ])('%s: "unknown option --x (did you mean --y?)", exit 2', async (_, args, unknown, meant) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`unknown option ${unknown} (did you mean ${meant}?)`);
    expect(run.stderr).not.toContain('required option');
    expectNoStackTrace(run.stderr);
  });

  it('names an unknown option with nothing near it, without a suggestion', async () => {
    const run = await runCli(['models', 'list', '--zzzzzzzz']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option --zzzzzzzz\n/);
  });
});
