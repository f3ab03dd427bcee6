import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoStackTrace, repoRoot, runCli, writeFixture } from './run-cli.js';

const policies = join(repoRoot, 'examples/policies');
const monitors = join(repoRoot, 'examples/credit-risk/monitors.yaml');
const contract = join(repoRoot, 'examples/credit-risk/contract.yaml');
const modelColumns = ['--target', 'Status', '--positive', 'bad', '--score', 'score', '--version', '7'];
const modelCheck = [
  ...modelColumns,
  '--sensitive',
  'Age,Marital',
  '--bins',
  'Age=18,25,40,65',
  '--min-group-size',
  '30',
];

/** Checks the clean training data against its contract and writes the evidence to `json`. */
async function checkTrainingData(json: string): Promise<void> {
  const check = await runCli([
    'check',
    'data',
    join(repoRoot, 'examples/credit-risk/credit_data.csv'),
    '--contract',
    contract,
    '--null-value',
    'NA',
    '--json',
    json,
  ]);
  expect(check.code).toBe(0);
}

let work: string;
let fairEvidence: string;
let biasedEvidence: string;
let signingKey: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'warden-cli-gate-'));
  fairEvidence = join(work, 'fair.json');
  biasedEvidence = join(work, 'biased.json');
  signingKey = join(work, 'ci.key');
  expect((await runCli(['key', 'create', '--out', signingKey])).code).toBe(0);
  for (const [file, json, model, sign] of [
    ['predictions.csv', fairEvidence, 'credit-risk', ['--sign-key', signingKey]],
    ['predictions-biased.csv', biasedEvidence, 'credit-risk-biased', []],
  ] as const) {
    const run = await runCli([
      'check',
      'model',
      join(repoRoot, 'examples/credit-risk', file),
      ...modelCheck,
      '--model',
      model,
      '--json',
      json,
      ...sign,
    ]);
    expect(run.code).toBe(0);
  }
});

describe('warden gate', () => {
  it('allows the fair credit model into production with its monitor and signed evidence, and records the decision', async () => {
    const decisionFile = join(work, 'allowed.json');
    const run = await runCli([
      'gate',
      'promote:production',
      '--policies',
      policies,
      '--evidence',
      fairEvidence,
      '--trusted-key',
      `credit-pipeline-ci=${signingKey}.pub`,
      '--labels',
      'domain=credit',
      '--monitors',
      monitors,
      '--json',
      decisionFile,
      '--revision',
      'v1.2.0',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ALLOWED {2}10 validations: 9 passed, 1 warning$/m);
    expect(run.stdout).toMatch(
      /! WARN {2}credit-parity\/parity-band .* outside 0\.8–1\.25 on Age \(0\.495\)/,
    );
    const decision = JSON.parse(await readFile(decisionFile, 'utf8'));
    expect(decision).toMatchObject({
      kind: 'decision',
      gate: 'promote:production',
      subject: { type: 'model-version', name: 'credit-risk', version: '7' },
      allowed: true,
      policySet: { revision: 'v1.2.0' },
    });
    expect(decision.policySet.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const envelope = JSON.parse(await readFile(fairEvidence, 'utf8'));
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString());
    expect(decision.evidence).toEqual([statement.predicate.id]);
    expect(decision.signers).toEqual([
      {
        evidence: statement.predicate.id,
        kind: 'model-evaluation',
        signer: 'credit-pipeline-ci',
        trusted: true,
      },
    ]);
  });

  it('denies the biased model with a message a person understands, exit 1', async () => {
    const run = await runCli([
      'gate',
      'model',
      '--policies',
      policies,
      '--evidence',
      biasedEvidence,
      '--labels',
      'domain=credit',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /✗ FAIL {2}credit-fairness\/equalized-odds {2}deny {4}critical .* equalized odds difference above 0\.2 on Age \(0\.2471\): the model is wrong about some groups far more often than about others \(tags the subject biased\)/,
    );
    expect(run.stdout).toMatch(/^DENIED {2}5 validations: 3 passed, 1 blocking, 1 warning$/m);
  });

  it('denies production without a declared monitor, and says what to declare', async () => {
    const run = await runCli([
      'gate',
      'promote:production',
      '--policies',
      policies,
      '--evidence',
      fairEvidence,
      '--labels',
      'domain=credit',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /production-monitor-required\/has-monitor .* no active post-deployment monitor/,
    );
  });

  it('leaves models outside the bound labels alone', async () => {
    const run = await runCli([
      'gate',
      'model',
      '--policies',
      policies,
      '--evidence',
      biasedEvidence,
      '--labels',
      'domain=marketing',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^ALLOWED BY DEFAULT {2}0 validations: 0 passed, no policy applied, so nothing judged this subject: allowed only because gate model is open by default \(GateDefaults "gate-defaults"\)$/m,
    );
    expect(run.stdout).toMatch(
      /i INFO {2}gate default model .* no policy applies to gate model for this subject .*GateDefaults "gate-defaults" declares model onNoPolicy: allow: allowed \(declared open\)/,
    );
  });

  it('denies a promotion to production that no policy covers, exit 1, and says why', async () => {
    const dataEvidence = join(work, 'uncovered-data.json');
    await checkTrainingData(dataEvidence);
    const decisionFile = join(work, 'uncovered.json');
    const run = await runCli([
      'gate',
      'promote:production',
      '--policies',
      policies,
      '--evidence',
      dataEvidence,
      '--json',
      decisionFile,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /✗ FAIL {2}gate default promote:\* .* no policy applies to gate promote:production for this subject \(no binding selects it\), and GateDefaults "gate-defaults" declares promote:\* onNoPolicy: deny: denied \(fail closed\)/,
    );
    expect(run.stdout).toMatch(
      /^DENIED BY DEFAULT {2}0 validations: 0 passed, no policy applied, so nothing judged this subject: denied because gate promote:production is closed by default \(GateDefaults "gate-defaults"\)$/m,
    );
    const decision = JSON.parse(await readFile(decisionFile, 'utf8'));
    expect(decision).toMatchObject({
      allowed: false,
      results: [],
      gateDefault: { onNoPolicy: 'deny', gate: 'promote:*', declaredBy: 'GateDefaults "gate-defaults"' },
    });
  });

  it('check model without --sensitive fails the example fairness policy, exit 1', async () => {
    const run = await runCli([
      'check',
      'model',
      join(repoRoot, 'examples/credit-risk/predictions.csv'),
      ...modelColumns,
      '--model',
      'credit-risk',
      '--policies',
      policies,
      '--labels',
      'domain=credit',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /✗ FAIL {2}credit-fairness\/fairness-evaluated .* the model evaluation has no fairness results.*--sensitive/,
    );
    expect(run.stdout).toMatch(/^DENIED /m);
  });

  it('without GateDefaults in the set, a deploy nothing covers is denied by the built-in default', async () => {
    const dir = join(work, 'no-defaults');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'policy.yaml'),
      'apiVersion: warden.dev/v1\nkind: Policy\nmetadata: { name: big-evaluations }\nspec:\n  validations:\n    - name: has-rows\n      expression: evidence.modelEvaluation.rowCount >= 1000\n      message: evaluate on at least 1000 rows\n---\napiVersion: warden.dev/v1\nkind: PolicyBinding\nmetadata: { name: big-evaluations-at-model }\nspec:\n  policyName: big-evaluations\n  gates: [model]\n',
    );
    const run = await runCli(['gate', 'deploy', '--policies', dir, '--evidence', fairEvidence]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /gate default deploy .* the policy set declares no default for it: denied \(fail closed\); declare the gate open with a GateDefaults document if this is intended/,
    );
  });

  it('replays a saved input to the identical decision', async () => {
    const input = join(work, 'input.json');
    const first = join(work, 'first.json');
    const second = join(work, 'second.json');
    const common = ['gate', 'model', '--policies', policies];
    const original = await runCli([
      ...common,
      '--evidence',
      biasedEvidence,
      '--labels',
      'domain=credit',
      '--save-input',
      input,
      '--json',
      first,
    ]);
    expect(original.code).toBe(1);
    const replay = await runCli([...common, '--input', input, '--json', second]);
    expect(replay.code).toBe(1);
    const [a, b] = [JSON.parse(await readFile(first, 'utf8')), JSON.parse(await readFile(second, 'utf8'))];
    expect(b).toEqual(a);
    expect(JSON.parse(await readFile(input, 'utf8')).digest).toBe(a.input.digest);
  });

  it('gives the same decision for the same inputs and --now', async () => {
    const args = (json: string) => [
      'gate',
      'model',
      '--policies',
      policies,
      '--evidence',
      fairEvidence,
      '--labels',
      'domain=credit',
      '--now',
      '2026-11-22T10:00:00Z',
      '--json',
      json,
    ];
    await runCli(args(join(work, 'now-a.json')));
    await runCli(args(join(work, 'now-b.json')));
    const a = JSON.parse(await readFile(join(work, 'now-a.json'), 'utf8'));
    const b = JSON.parse(await readFile(join(work, 'now-b.json'), 'utf8'));
    expect(a.id).toBe(b.id);
    expect(a.decidedAt).toBe('2026-11-22T10:00:00Z');
  });

  it('decides the data gate with the contract: raw PII in an undeclared column is denied', async () => {
    const evidence = join(work, 'data.json');
    await checkTrainingData(evidence);
    const allowed = await runCli([
      'gate',
      'data',
      '--policies',
      policies,
      '--evidence',
      evidence,
      '--contract',
      contract,
    ]);
    expect(allowed.code).toBe(0);
    const withoutContract = await runCli(['gate', 'data', '--policies', policies, '--evidence', evidence]);
    expect(withoutContract.code).toBe(1);
    expect(withoutContract.stdout).toMatch(
      /pii-features-hashed\/contract-given .* no data contract was given/,
    );
  });
});

/** `warden gate ARGS` ends with exit 2, the message and the code, and no stack trace. */
async function expectRefused(args: string[], message: RegExp, code: string): Promise<void> {
  const run = await runCli(['gate', ...args]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).toContain(code);
  expectNoStackTrace(run.stderr);
}

describe('warden gate: bad input', () => {
  const cases: [string, () => string[], RegExp, string][] = [
    [
      'an unknown gate',
      () => ['promote', '--evidence', fairEvidence],
      /"promote" is not a gate/,
      'WARDEN_ERR_USAGE_INVALID_OPTION',
    ],
    [
      'a missing policy directory',
      () => ['model', '--policies', join(work, 'nope'), '--evidence', fairEvidence],
      /nope: no such policy directory or file/,
      'WARDEN_ERR_INPUT_FILE_NOT_FOUND',
    ],
    [
      'a missing evidence file',
      () => ['model', '--evidence', join(work, 'missing.json')],
      /missing\.json: no such evidence file/,
      'WARDEN_ERR_INPUT_FILE_NOT_FOUND',
    ],
    [
      'a malformed --labels',
      () => ['model', '--evidence', fairEvidence, '--labels', 'domain'],
      /--labels "domain": write key=value pairs/,
      'WARDEN_ERR_USAGE_INVALID_OPTION',
    ],
    [
      'a malformed --subject',
      () => ['model', '--evidence', fairEvidence, '--subject', 'name=x'],
      /name exactly one of model=NAME/,
      'WARDEN_ERR_GATE_INVALID_INPUT',
    ],
    [
      'a bad --now',
      () => ['model', '--evidence', fairEvidence, '--now', 'yesterday'],
      /--now "yesterday" is not an ISO-8601 time/,
      'WARDEN_ERR_USAGE_INVALID_OPTION',
    ],
  ];
  it.each(cases)('%s', async (_name, args, message, code) => {
    const [gateName = '', ...rest] = args();
    const withPolicies = rest.includes('--policies') ? rest : ['--policies', policies, ...rest];
    await expectRefused([gateName, ...withPolicies], message, code);
  });

  it('refuses evidence of an unknown kind, evidence that is not JSON, and edited evidence', async () => {
    const original = JSON.parse(await readFile(biasedEvidence, 'utf8'));
    const unknownKind = await writeFixture(
      work,
      'kind.json',
      JSON.stringify({ ...original, kind: 'model-evaluaton' }),
    );
    const notJson = await writeFixture(work, 'broken.json', '{"kind": ');
    const edited = await writeFixture(
      work,
      'edited.json',
      JSON.stringify({ ...original, performance: { ...original.performance, rocAuc: 0.99 } }),
    );
    const expectations: [string, RegExp][] = [
      [
        unknownKind,
        /evidence of kind "model-evaluaton" is not one Warden knows \(did you mean "model-evaluation"\?\)/,
      ],
      [notJson, /broken\.json: is not JSON/],
      [edited, /edited\.json: was changed after it was sealed: its content no longer matches its id /],
    ];
    for (const [file, message] of expectations) {
      await expectRefused(
        ['model', '--policies', policies, '--evidence', file],
        message,
        'WARDEN_ERR_EVIDENCE_INVALID',
      );
    }
  });

  it('refuses monitors that are not YAML or not a list, and saved inputs that are not gate inputs', async () => {
    const promote = ['promote:production', '--policies', policies, '--evidence', fairEvidence];
    const replay = ['model', '--policies', policies, '--input'];
    const expectations: [string[], RegExp][] = [
      [
        [...promote, '--monitors', await writeFixture(work, 'monitors.yaml', 'name: just-one\n')],
        /monitors\.yaml: monitors are a list of objects/,
      ],
      [
        [...promote, '--monitors', await writeFixture(work, 'monitors-broken.yaml', '- name: [unclosed\n')],
        /monitors-broken\.yaml: not valid YAML or JSON/,
      ],
      [
        [...replay, await writeFixture(work, 'input-broken.json', '{"input": ')],
        /input-broken\.json: is not JSON/,
      ],
      [
        [...replay, await writeFixture(work, 'input-null.json', 'null')],
        /input-null\.json: is not a saved gate input .* write one with warden gate … --save-input FILE/,
      ],
    ];
    for (const [args, message] of expectations) {
      await expectRefused(args, message, 'WARDEN_ERR_GATE_INVALID_INPUT');
    }
  });

  it('refuses evidence files that together exceed the gate input limit, before reading them', async () => {
    const large = await writeFixture(work, 'large.json', Buffer.alloc(9 * 1024 * 1024, 32));
    await expectRefused(
      ['model', '--policies', policies, '--evidence', large, large],
      /large\.json: the evidence files add up to 18874368 bytes; a gate input may hold at most 16777216\. Pass only the evidence this gate needs/,
      'WARDEN_ERR_GATE_INVALID_INPUT',
    );
  });

  it('refuses a saved input replayed at another gate', async () => {
    const input = join(work, 'gate-input.json');
    await runCli([
      'gate',
      'model',
      '--policies',
      policies,
      '--evidence',
      fairEvidence,
      '--save-input',
      input,
    ]);
    const run = await runCli(['gate', 'data', '--policies', policies, '--input', input]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/was saved for gate model, not data/);
  });
});

describe('warden gate: broken policy sets', () => {
  const policyFile = async (name: string, text: string) => {
    const dir = join(work, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'policy.yaml'), text);
    return dir;
  };
  const policy = (spec: string, binding = 'policyName: p\n  gates: [model]') =>
    `apiVersion: warden.dev/v1\nkind: Policy\nmetadata: { name: p }\nspec:\n${spec}\n---\napiVersion: warden.dev/v1\nkind: PolicyBinding\nmetadata: { name: b }\nspec:\n  ${binding}\n`;

  it('shows a CEL syntax error with the expression and a caret under the place', async () => {
    const dir = await policyFile(
      'syntax',
      policy(
        '  validations:\n    - name: v\n      expression: evidence.modelEvaluation.performance.rocAuc >= >',
      ),
    );
    const run = await runCli(['gate', 'model', '--policies', dir, '--evidence', fairEvidence]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('WARDEN_ERR_POLICY_EXPRESSION');
    expect(run.stderr).toMatch(/policy\.yaml:7:7: validation "v" of policy "p": CEL syntax error/);
    expect(run.stderr).toContain(
      '      evidence.modelEvaluation.performance.rocAuc >= >\n                                                  ^',
    );
    expectNoStackTrace(run.stderr);
  });

  it('names an unknown field with a suggestion, and a binding to a missing policy', async () => {
    const dir = await policyFile(
      'fields',
      policy(
        '  matchCondition: []\n  validations:\n    - name: v\n      expression: "true"\n      message: ok',
        'policyName: q\n  gates: [model]',
      ),
    );
    const run = await runCli(['policy', 'lint', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('WARDEN_ERR_POLICY_INVALID');
    expect(run.stderr).toMatch(
      /policy\.yaml:5:3: unknown field "matchCondition" in spec \(did you mean "matchConditions"\?\); the fields here are params, matchConditions/,
    );
    expect(run.stderr).toMatch(/binding "b" names policy "q", which is not in this policy set/);
  });

  it('turns a validation that reads missing evidence into an error that explains has(), and denies', async () => {
    const dir = await policyFile(
      'missing',
      policy(
        '  validations:\n    - name: drift\n      expression: evidence.driftReport.datasetDrift == false\n      message: drift',
      ),
    );
    const json = join(work, 'missing-decision.json');
    const run = await runCli([
      'gate',
      'model',
      '--policies',
      dir,
      '--evidence',
      fairEvidence,
      '--json',
      json,
    ]);
    expect(run.code).toBe(1);
    const decision = JSON.parse(await readFile(json, 'utf8'));
    expect(decision.results[0]).toMatchObject({ outcome: 'error', failurePolicy: 'Fail', blocking: true });
    expect(decision.results[0].message).toMatch(
      /no driftReport evidence was given for this subject; test for it first with has\(evidence\.driftReport\)/,
    );
  });

  it('reports a validation that returns a non-boolean', async () => {
    const dir = await policyFile(
      'nonbool',
      policy(
        '  validations:\n    - name: auc\n      expression: evidence.modelEvaluation.performance.rocAuc\n      message: auc',
      ),
    );
    const json = join(work, 'nonbool-decision.json');
    const run = await runCli([
      'gate',
      'model',
      '--policies',
      dir,
      '--evidence',
      fairEvidence,
      '--json',
      json,
    ]);
    expect(run.code).toBe(1);
    const decision = JSON.parse(await readFile(json, 'utf8'));
    expect(decision.results[0].message).toMatch(/returned double 0\.829\d*, not a bool/);
  });

  it('keeps a copy of the example policies valid when edited in one file', async () => {
    const copy = join(work, 'copy');
    await cp(policies, copy, { recursive: true });
    await writeFile(
      join(copy, 'latency.yaml'),
      'apiVersion: warden.dev/v1\nkind: Policy\nmetadata: { name: small-models }\nspec:\n  validations:\n    - name: has-rows\n      expression: evidence.modelEvaluation.rowCount >= 1000\n      message: evaluate on at least 1000 rows\n---\napiVersion: warden.dev/v1\nkind: PolicyBinding\nmetadata: { name: small-models-everywhere }\nspec:\n  policyName: small-models\n  gates: [model]\n',
    );
    const run = await runCli(['gate', 'model', '--policies', copy, '--evidence', fairEvidence, '--verbose']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✓ PASS {2}small-models\/has-rows/);
  });
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('an unlabelled model that no policy selects', () => {
  /** The example policy set, and the same set without its GateDefaults document (the built-in defaults). */
  let declared: string;
  let builtIn: string;
  /** One policy, bound to the model gate only: nothing covers promotions or deploys. */
  let modelOnly: string;
  beforeAll(async () => {
    declared = policies;
    builtIn = join(work, 'built-in-defaults');
    await cp(policies, builtIn, { recursive: true });
    await rm(join(builtIn, 'gate-defaults.yaml'));
    modelOnly = join(work, 'model-only');
    await mkdir(modelOnly, { recursive: true });
    await writeFile(
      join(modelOnly, 'policy.yaml'),
      'apiVersion: warden.dev/v1\nkind: Policy\nmetadata: { name: big-evaluations }\nspec:\n  validations:\n    - name: has-rows\n      expression: evidence.modelEvaluation.rowCount >= 1000\n      message: evaluate on at least 1000 rows\n---\napiVersion: warden.dev/v1\nkind: PolicyBinding\nmetadata: { name: big-evaluations-at-model }\nspec:\n  policyName: big-evaluations\n  gates: [model]\n',
    );
  });

  /** Runs a gate with every report written; returns the run and the reports. */
  async function gate(name: string, policySet: string, subject: string, extra: string[] = []) {
    const file = (suffix: string) => join(work, `${name.replace(':', '-')}-${policySet.length}-${suffix}`);
    const run = await runCli([
      'gate',
      name,
      '--policies',
      policySet,
      '--subject',
      subject,
      '--json',
      file('decision.json'),
      '--junit',
      file('junit.xml'),
      '--markdown',
      file('report.md'),
      ...extra,
    ]);
    expectNoStackTrace(run.stderr);
    return {
      run,
      decision: JSON.parse(await readFile(file('decision.json'), 'utf8')),
      junit: await readFile(file('junit.xml'), 'utf8'),
      markdown: await readFile(file('report.md'), 'utf8'),
    };
  }

  it.each([
    [
      'model',
      'the example GateDefaults',
      () => declared,
      'GateDefaults "gate-defaults"',
      'model=churn,version=1',
    ],
    ['model', 'the built-in defaults', () => builtIn, 'built-in', 'model=churn,version=1'],
    [
      'data',
      'the example GateDefaults',
      () => declared,
      'GateDefaults "gate-defaults"',
      'dataset=churn-training',
    ],
    ['data', 'the built-in defaults', () => builtIn, 'built-in', 'dataset=churn-training'],
  ])(
    'at the %s gate under %s: allowed, and every report says no policy applied and the gate is open by default',
    async (name, _, policySet, declaredBy, subject) => {
      const { run, decision, junit, markdown } = await gate(name, policySet(), subject);
      expect(run.code).toBe(0);
      const words = `no policy applied, so nothing judged this subject: allowed only because gate ${name} is open by default (${declaredBy})`;
      expect(run.stdout).toMatch(
        new RegExp(`^ALLOWED BY DEFAULT {2}0 validations: 0 passed, .*${escapeRegExp(words)}$`, 'm'),
      );
      expect(run.stdout).not.toMatch(/^ALLOWED {2}/m);
      expect(decision).toMatchObject({
        allowed: true,
        results: [],
        gateDefault: { onNoPolicy: 'allow', gate: name, declaredBy },
      });
      expect(decision.gateDefault.reason).toMatch(
        new RegExp(
          `^no policy applies to gate ${name} for this subject .*: allowed \\((declared open|${name} is open by default)\\)`,
        ),
      );
      // The data gate's summary also counts the bound policies whose matchConditions skipped them.
      expect(junit).toMatch(
        new RegExp(
          `<property name="verdict" value="Allowed by default: 0 validations: 0 passed, [^"]*${escapeRegExp(words.replaceAll('"', '&quot;'))}"/>`,
        ),
      );
      expect(junit).toContain(`<system-out>no policy applies to gate ${name} for this subject`);
      expect(markdown).toMatch(
        new RegExp(`\\*\\*Allowed by default\\*\\* — 0 validations: 0 passed, .*${escapeRegExp(words)}`),
      );
    },
  );

  it('check model --policies says the same for an unlabelled model under the built-in defaults', async () => {
    const run = await runCli([
      'check',
      'model',
      join(repoRoot, 'examples/credit-risk/predictions.csv'),
      ...modelColumns,
      '--model',
      'churn',
      '--policies',
      builtIn,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^ALLOWED BY DEFAULT {2}0 validations: 0 passed, no policy applied, so nothing judged this subject: allowed only because gate model is open by default \(built-in\)$/m,
    );
  });

  it.each(['promote:production', 'deploy'])(
    'at %s with no evidence: denied by the example policies, exit 1',
    async (name) => {
      for (const policySet of [declared, builtIn]) {
        const { run, decision } = await gate(name, policySet, 'model=churn,version=1');
        expect(run.code).toBe(1);
        expect(run.stdout).toMatch(/^DENIED {2}/m);
        expect(decision.allowed).toBe(false);
        expect(decision.evidence).toEqual([]);
      }
    },
  );

  it.each(['promote:production', 'deploy'])(
    'at %s with no evidence and no policy bound there: denied by the built-in default, and says so',
    async (name) => {
      const { run, decision, junit, markdown } = await gate(name, modelOnly, 'model=churn,version=1');
      expect(run.code).toBe(1);
      const words = `no policy applied, so nothing judged this subject: denied because gate ${name} is closed by default (built-in)`;
      expect(run.stdout).toContain(`DENIED BY DEFAULT  0 validations: 0 passed, ${words}`);
      expect(decision).toMatchObject({
        allowed: false,
        gateDefault: {
          onNoPolicy: 'deny',
          gate: name === 'deploy' ? 'deploy' : 'promote:*',
          declaredBy: 'built-in',
        },
      });
      expect(decision.gateDefault.reason).toContain('denied (fail closed)');
      expect(junit).toContain(
        `<property name="verdict" value="Denied by default: 0 validations: 0 passed, ${words}"/>`,
      );
      expect(junit).toContain('<failure');
      expect(markdown).toContain(`**Denied by default** — 0 validations: 0 passed, ${words}`);
    },
  );
});
