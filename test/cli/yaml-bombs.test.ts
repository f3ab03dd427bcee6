import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoStackTrace, repoRoot, runCli, writeFixture } from './run-cli.js';

/** Nine levels of nine aliases each: 9^9 (387 million) values once expanded. */
function billionLaughs(indent: string): string {
  const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (const [previous, name] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi']) {
    levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
  }
  return levels.map((level) => `${indent}${level}\n`).join('');
}

const tooManyAliases = /too many aliases: its \*aliases expand more than 100 times/;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'warden-yaml-bombs-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('a YAML anchor bomb is refused as bad input (exit 2) with the document’s own code', () => {
  it('as a data contract: WARDEN_ERR_CONTRACT_NOT_YAML', async () => {
    const contract = await writeFixture(
      work,
      'bomb-contract.yaml',
      `apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\nstatus: active\ncustomProperties:\n${billionLaughs('  ')}schema:\n  - name: t\n`,
    );
    const data = await writeFixture(work, 't.csv', 'id\n1\n');
    const run = await runCli(['check', 'data', data, '--contract', contract]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${contract}: not valid YAML: too many aliases`);
    expect(run.stderr).toContain('WARDEN_ERR_CONTRACT_NOT_YAML');
    expectNoStackTrace(run.stderr);
  });

  it('in a policy set: WARDEN_ERR_POLICY_INVALID', async () => {
    const policy = await writeFixture(
      work,
      'bomb-policy.yaml',
      `apiVersion: warden.dev/v1\nkind: Policy\nmetadata:\n  name: bomb\nspec:\n  params:\n${billionLaughs('    ')}  validations:\n    - { name: a, expression: 'true', message: m }\n`,
    );
    const run = await runCli(['policy', 'test', policy]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bomb-policy.yaml');
    expect(run.stderr).toMatch(tooManyAliases);
    expect(run.stderr).toContain('WARDEN_ERR_POLICY_INVALID');
    expectNoStackTrace(run.stderr);
  });

  it('as declared monitors: WARDEN_ERR_GATE_INVALID_INPUT', async () => {
    const monitors = await writeFixture(work, 'bomb-monitors.yaml', `${billionLaughs('')}monitors: *i\n`);
    const run = await runCli([
      'gate',
      'deploy',
      '--policies',
      join(repoRoot, 'examples/policies'),
      '--subject',
      'deployment=x',
      '--monitors',
      monitors,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${monitors}: not valid YAML or JSON: too many aliases`);
    expect(run.stderr).toContain('WARDEN_ERR_GATE_INVALID_INPUT');
    expectNoStackTrace(run.stderr);

    const declared = await runCli([
      'monitors',
      'set',
      'credit-risk',
      monitors,
      '--server',
      'http://127.0.0.1:9',
    ]);
    expect(declared.code).toBe(2);
    expect(declared.stderr).toMatch(tooManyAliases);
    expect(declared.stderr).toContain('WARDEN_ERR_GATE_INVALID_INPUT');
  });
});
