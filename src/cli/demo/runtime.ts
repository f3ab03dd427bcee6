import { readFile, writeFile } from 'node:fs/promises';
import { isWardenError } from '../../core/index.js';
import { loadGatewayConfig, type MonitorStatus } from '../../gateway/index.js';
import type { CliIo } from '../cli-io.js';
import { createBaselineFile } from '../commands/baseline.js';
import { startGatewayRuntime } from '../gateway-runtime.js';
import { signingKeyFrom } from '../signing.js';
import { submitToControlPlane } from '../window-recording.js';
import { type DemoControlPlane, readJsonFile } from './control-plane.js';
import { type CreditApplication, creditApplications, type ModelPredictions } from './credit-risk-model.js';
import type { CreditRiskServer } from './credit-risk-server.js';

/** Applications per phase of traffic, and how many are in flight at once. */
const applicationsPerPhase = 300;
const concurrency = 8;
/** The sliding window live drift is measured over; the demo closes the windows itself. */
const windowSeconds = 3;

export interface RuntimeOutcome {
  asExpected: boolean;
  problems: string[];
}

/**
 * The runtime step: the production version behind its model server and `warden gateway`, attached
 * to the control plane; applications like the training data, then applications a few years on,
 * each phase closed into a signed monitor-status document on the version, and drift on /metrics.
 */
export async function runRuntimeStep(
  plane: DemoControlPlane,
  run: {
    dataset: string;
    drifted: string;
    work: (name: string) => string;
    signKey: string;
    model: ModelPredictions;
    version: string;
    /** The production version's model server (it keeps serving after this step). */
    server: CreditRiskServer;
  },
  io: CliIo,
): Promise<RuntimeOutcome> {
  const say = (text: string) => io.stdout.write(`  ${text}\n`);
  const problems: string[] = [];
  const training = creditApplications(await readFile(run.dataset, 'utf8'));
  // An application carries every column of the training data but the outcome; the baseline covers them.
  const applicationColumns = [...(training[0]?.keys() ?? [])];
  const baselineEvidence = run.work('baseline-evidence.json');
  say(
    `$ warden baseline create ${run.dataset} --columns ${applicationColumns.join(',')} --null-value NA --window-rows 200 --evidence ${baselineEvidence} --sign-key ${run.signKey}`,
  );
  const baselineExit = await createBaselineFile(
    run.dataset,
    {
      evidence: baselineEvidence,
      signKey: run.signKey,
      columns: applicationColumns.join(','),
      nullValue: ['NA'],
      windowRows: '200',
      topK: '20',
    },
    io,
  );
  if (baselineExit !== 0) problems.push(`baseline create exited ${baselineExit}`);
  const receipt = await plane.call('pipeline', 'submitEvidence', {
    params: { model: 'credit-risk', version: run.version },
    body: await readJsonFile(baselineEvidence),
  });
  say(
    `$ warden evidence submit ${baselineEvidence} --model credit-risk --version ${run.version}   # drift-baseline evidence ${receipt.id.slice(0, 19)}…, signed by ${receipt.signer}`,
  );

  const { server } = run;
  say(
    `model server: version ${run.version} behind MLflow scoring at ${server.url} (the demo's stand-in for a serving stack)`,
  );
  const endpoint = { url: server.url, protocol: 'mlflow' as const };
  const setEndpoint = `warden versions set-endpoint credit-risk ${run.version} --url ${server.url} --protocol mlflow`;
  try {
    await plane.call('pipeline', 'setVersionEndpoint', {
      params: { model: 'credit-risk', version: run.version },
      body: { endpoint },
    });
    problems.push('the pipeline moved the endpoint of the production version without an approver');
  } catch (error) {
    if (!isWardenError(error) || error.code !== 'WARDEN_ERR_GOVERNANCE_SERVED_ENDPOINT') throw error;
    say(
      `$ ${setEndpoint}   # as credit-pipeline: refused (${error.code}): version ${run.version} holds production`,
    );
  }
  await plane.call('committee', 'setVersionEndpoint', {
    params: { model: 'credit-risk', version: run.version },
    body: { endpoint },
  });
  say(`$ ${setEndpoint}   # as risk-committee (approver): set, and audited`);

  const settings = run.work('gateway.yaml');
  await writeFile(
    settings,
    `apiVersion: warden.dev/v1\nkind: Gateway\nroutes:\n  - model: credit-risk\n    timeoutMs: 5000\n    monitoring: { windowSeconds: ${windowSeconds} }\n`,
  );
  say(`$ warden gateway --server ${plane.server.url} --config ${settings} --sign-key ${run.signKey}`);
  const windows: string[] = [];
  const runtime = await startGatewayRuntime({
    config: await loadGatewayConfig(settings, { attached: true }),
    host: '127.0.0.1',
    port: 0,
    recording: {
      submit: submitToControlPlane(plane.client('pipeline'), await signingKeyFrom(run.signKey, io)),
      onWindow: ({ submitted, error }) => {
        if (submitted) windows.push(submitted);
        if (error) problems.push(error);
      },
    },
    controlPlane: { client: plane.client('viewer'), url: plane.server.url, pollSeconds: 1 },
    say: (line) => say(`gateway: ${line}`),
    manualWindows: true,
  });
  try {
    const gatewayUrl = runtime.gateway.url;
    const phase = async (title: string, applications: readonly CreditApplication[]) => {
      const answered = await sendApplications(gatewayUrl, applications);
      if (answered !== applications.length)
        problems.push(`${title}: ${answered} of ${applications.length} answered`);
      const [closed] = await runtime.monitor.closeWindows();
      const status = closed?.status;
      if (status === undefined) throw new Error('the gateway monitors no version of credit-risk');
      say(`${title}: ${describeWindow(status)}`);
      say(`  monitor-status evidence on version ${run.version}: ${windows.at(-1) ?? 'not submitted'}`);
      return status;
    };
    const sample = (applications: CreditApplication[]) =>
      applications
        .filter((_, i) => i % Math.floor(applications.length / applicationsPerPhase) === 0)
        .slice(0, applicationsPerPhase);
    const usual = await phase(
      `${applicationsPerPhase} applications like the training data, through ${gatewayUrl}/models/credit-risk/invocations`,
      sample(training),
    );
    // The next window must not hold the first phase's rows: the drift is over the last windowSeconds.
    await new Promise((resolve) => setTimeout(resolve, windowSeconds * 1000 + 100));
    const later = await phase(
      `${applicationsPerPhase} applications a few years on (ages +8, incomes ×1.4)`,
      creditApplications(await readFile(run.drifted, 'utf8')).slice(0, applicationsPerPhase),
    );
    const metrics = await (await fetch(`${gatewayUrl}/metrics`)).text();
    for (const line of metrics.split('\n')) {
      if (/^warden_feature_drift_score\{.*feature="(Age|Income)"/.test(line))
        say(`$ curl ${gatewayUrl}/metrics → ${line}`);
    }
    const drifted = (status: MonitorStatus) =>
      status.features
        .filter((feature) => feature.drifted)
        .map((feature) => feature.name)
        .sort()
        .join(',');
    if (drifted(usual) !== '') problems.push(`drift on the usual applications: ${drifted(usual)}`);
    if (drifted(later) !== 'Age,Income')
      problems.push(`drifted later: ${drifted(later) || 'none'} (expected Age, Income)`);
    if (windows.length !== 2)
      problems.push(`${windows.length} monitor-status documents submitted (expected 2)`);
  } finally {
    await runtime.stop();
  }
  return { asExpected: problems.length === 0, problems };
}

function describeWindow(status: MonitorStatus): string {
  const drifted = status.features.filter((feature) => feature.drifted);
  const latency = status.latency.p50 === null ? '' : `, p50 ${(status.latency.p50 * 1000).toFixed(1)} ms`;
  return `${status.requests.total} requests, ${status.requests.errors} errors${latency}; ${drifted.length} of ${status.features.length} inputs drifted${drifted.length === 0 ? '' : `: ${drifted.map((f) => `${f.name} (${f.method} ${f.score?.toFixed(3)} > ${f.threshold.toFixed(3)})`).join(', ')}`}`;
}

/** Sends each application as its own MLflow scoring request; resolves to how many were answered 200. */
async function sendApplications(url: string, applications: readonly CreditApplication[]): Promise<number> {
  let next = 0;
  let answered = 0;
  const worker = async () => {
    while (next < applications.length) {
      const application = applications[next++] as CreditApplication;
      const record = Object.fromEntries(
        [...application].map(([name, value]) => [
          name,
          value !== null && Number.isFinite(Number(value)) ? Number(value) : value,
        ]),
      );
      const response = await fetch(`${url}/models/credit-risk/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dataframe_records: [record] }),
      });
      await response.arrayBuffer();
      if (response.status === 200) answered++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answered;
}
