import { readFile, writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { isWardenError } from '../../core/index.js';
import { loadGatewayConfig } from '../../gateway/index.js';
import type { RolloutCheck, RolloutRecord } from '../../monitor/index.js';
import { verifyAudit } from '../audit-verification.js';
import type { CliIo } from '../cli-io.js';
import { checkModel } from '../commands/check-model.js';
import { startGatewayRuntime } from '../gateway-runtime.js';
import { signingKeyFrom } from '../signing.js';
import { submitToControlPlane } from '../window-recording.js';
import { type DemoControlPlane, readJsonFile } from './control-plane.js';
import { type CreditApplication, creditApplications, type ModelPredictions } from './credit-risk-model.js';
import { type CreditRiskServer, startCreditRiskServer } from './credit-risk-server.js';

export interface CanaryOutcome {
  asExpected: boolean;
  problems: string[];
}

/** How long the scene may take before it counts as not behaving. */
const sceneTimeoutMs = 60_000;

/**
 * The canary scene: version 3 (the fair model behind a rewritten feature encoding that crashes on
 * applicants whose Home is "other") is rolled out beside production version 1 through an attached
 * gateway, judged every second by the runtime gate, and rolled back by itself; the decision is
 * shown as a person reads it and the audit log verifies.
 */
export async function runCanaryStep(
  plane: DemoControlPlane,
  run: {
    dataset: string;
    work: (name: string) => string;
    signKey: string;
    model: ModelPredictions;
    predictions: string;
    stable: { version: string; server: CreditRiskServer };
  },
  io: CliIo,
): Promise<CanaryOutcome> {
  const say = (text: string) => io.stdout.write(`  ${text}\n`);
  const problems: string[] = [];
  const canaryServer = await startCreditRiskServer(
    run.model,
    (application) => application.get('Home') === 'other',
  );
  try {
    const created = await plane.call('pipeline', 'createVersion', {
      params: { model: 'credit-risk' },
      body: {
        artifact: { uri: `file://${run.predictions}` },
        runId: 'demo-train-encoding-v2',
        description: 'the fair model behind a rewritten feature encoding',
        endpoint: { url: canaryServer.url, protocol: 'mlflow' },
      },
    });
    const version = created.version;
    say(
      `$ warden versions create credit-risk --artifact file://… --endpoint ${canaryServer.url} --protocol mlflow   # version ${version}: the fair model, a new feature encoding`,
    );
    const evaluation = run.work(`model-evaluation-v${version}.json`);
    const quiet = new PassThrough() as unknown as NodeJS.WriteStream;
    const evaluated = await checkModel(
      run.predictions,
      {
        target: 'Status',
        positive: 'bad',
        score: 'score',
        sensitive: 'Age,Marital',
        bins: ['Age=18,25,40,65'],
        minGroupSize: '30',
        model: 'credit-risk',
        version,
        json: evaluation,
        signKey: run.signKey,
      },
      { ...io, stdout: quiet, stderr: quiet },
    );
    if (evaluated !== 0) problems.push(`the canary's model evaluation exited ${evaluated}`);
    for (const file of [run.work('data-check-clean.json'), evaluation]) {
      await plane.call('pipeline', 'submitEvidence', {
        params: { model: 'credit-risk', version },
        body: await readJsonFile(file),
      });
    }
    say(
      `$ warden check model … --version ${version} --sign-key ${run.signKey}; warden evidence submit …   # offline it scores as version ${run.stable.version} does`,
    );

    const settings = run.work('gateway-canary.yaml');
    await writeFile(
      settings,
      'apiVersion: warden.dev/v1\nkind: Gateway\nroutes:\n  - model: credit-risk\n    timeoutMs: 5000\n',
    );
    const runtime = await startGatewayRuntime({
      config: await loadGatewayConfig(settings, { attached: true }),
      host: '127.0.0.1',
      port: 0,
      recording: {
        submit: submitToControlPlane(plane.client('pipeline'), await signingKeyFrom(run.signKey, io)),
        onWindow: ({ error }) => {
          if (error) problems.push(error);
        },
      },
      controlPlane: { client: plane.client('viewer'), url: plane.server.url, pollSeconds: 1 },
      say: () => undefined,
    });
    const applications = creditApplications(await readFile(run.dataset, 'utf8'));
    const traffic = steadyTraffic(runtime.gateway.url, applications);
    try {
      say(
        `$ warden gateway --server ${plane.server.url} --sign-key ${run.signKey}   # 1-second windows while a rollout runs; applications sent steadily through ${runtime.gateway.url}`,
      );
      const rolloutBody = {
        version,
        steps: [20, 50, 100],
        intervalSeconds: 1,
        minRequests: 10,
        threshold: 2,
      };
      try {
        await plane.call('pipeline', 'startRollout', { params: { model: 'credit-risk' }, body: rolloutBody });
        problems.push('the pipeline started a canary of a high-risk model without an approver');
      } catch (error) {
        if (!isWardenError(error) || error.code !== 'WARDEN_ERR_RUNTIME_APPROVAL_REQUIRED') throw error;
        say(
          `$ warden rollout start credit-risk --version ${version} …   # as credit-pipeline: refused (${error.code})`,
        );
      }
      say(
        `$ warden rollout start credit-risk --version ${version} --steps 20,50,100 --interval 1s --min-requests 10   # as risk-committee: a high-risk model's canary takes production traffic only with an approver's consent`,
      );
      const started = await plane.call('committee', 'startRollout', {
        params: { model: 'credit-risk' },
        body: rolloutBody,
      });
      say(
        `rollout ${started.id}: version ${version} takes ${started.weight}% of the traffic beside version ${started.stableVersion}; no policy is bound to runtime for credit models, so Warden's built-in canary checks judge it`,
      );
      const ended = await followRollout(plane, say);
      if (ended === undefined) {
        problems.push(`the rollout did not end within ${sceneTimeoutMs / 1000} s`);
        return { asExpected: false, problems };
      }
      if (ended.status !== 'rolled-back')
        problems.push(`the faulty canary was ${ended.status}, not rolled back`);
      say(`rolled back: ${ended.reason}`);
      const followed = await untilRoutedAway(runtime.gateway.url, version);
      if (followed === undefined)
        problems.push(`the gateway still routes to version ${version} after the rollback`);
      // Requests already sent to the canary finish there; none after them.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const before = traffic.answeredBy(version);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const after = traffic.answeredBy(version);
      say(
        `the gateway followed within ${((followed ?? 0) / 1000).toFixed(1)} s (it reads the routing table every second): version ${version} answered ${after - before} requests in the second after; clients saw ${traffic.gatewayErrors()} errors from the gateway itself (the canary's own 500s are its fault)`,
      );
      if (after !== before) problems.push(`version ${version} still took traffic after the rollback`);
      if (traffic.gatewayErrors() !== 0)
        problems.push(`${traffic.gatewayErrors()} requests failed in the gateway`);
      const decisionId = ended.lastCheck?.decision;
      if (decisionId) {
        const decision = await plane.call('viewer', 'getDecision', { params: { id: decisionId } });
        say(
          `$ curl -H "Authorization: Bearer $WARDEN_TOKEN" ${plane.server.url}/api/v1/decisions/${decisionId}   # the runtime gate's last decision`,
        );
        for (const result of decision.results.filter((r) => r.outcome !== 'pass')) {
          say(`  ${result.outcome}: ${result.policy}/${result.validation}: ${result.message}`);
        }
      }
      const tagged = await plane.call('viewer', 'getVersion', { params: { model: 'credit-risk', version } });
      say(
        `version ${version} is tagged ${Object.keys(tagged.tags)
          .map((tag) => `"${tag}"`)
          .join(', ')}: it takes no production traffic again until an approver clears it`,
      );
      if (!('rolled-back' in tagged.tags)) problems.push(`version ${version} was not tagged rolled-back`);
      await plane.call('admin', 'createCheckpoint');
      say('$ warden audit verify   # every check, step and the rollback are in the chain');
      if ((await verifyAudit({ publicKey: [] }, io, plane.client('viewer'))) !== 0) {
        problems.push('the audit log did not verify after the rollout');
      }
    } finally {
      await traffic.stop();
      await runtime.stop();
    }
  } finally {
    await canaryServer.close();
  }
  return { asExpected: problems.length === 0, problems };
}

/** Prints each check of the model's rollout as it lands; resolves to the finished rollout. */
async function followRollout(
  plane: DemoControlPlane,
  say: (text: string) => void,
): Promise<RolloutRecord | undefined> {
  let printed: RolloutCheck | null = null;
  for (let waited = 0; waited < sceneTimeoutMs; waited += 250) {
    const record = await plane.call('viewer', 'getRollout', { params: { model: 'credit-risk' } });
    const check = record.lastCheck;
    if (check !== null && check.at !== printed?.at) {
      printed = check;
      const side = (t: RolloutCheck['canary']) =>
        t === null
          ? 'no traffic'
          : `${t.requests} requests, ${((t.errorRatio ?? 0) * 100).toFixed(1)}% errors`;
      say(
        `${check.at.slice(11, 23)} step ${check.step} (${check.weight}%): ${check.outcome}: canary ${side(check.canary)}, stable ${side(check.stable)}; failed checks ${record.failedChecks} of ${record.settings.threshold}`,
      );
    }
    if (!['running', 'paused', 'awaiting-approval'].includes(record.status)) return record;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return undefined;
}

/** Milliseconds until the gateway's /metrics no longer routes any traffic to the version; undefined after 5 s. */
async function untilRoutedAway(gateway: string, version: string): Promise<number | undefined> {
  const started = Date.now();
  const routed = new RegExp(
    `warden_gateway_routing_weight\\{model="credit-risk",version="${version}"\\} (0\\.\\d*[1-9]|1)`,
  );
  while (Date.now() - started < 5000) {
    if (!routed.test(await (await fetch(`${gateway}/metrics`)).text())) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

/** Applications sent through the gateway by four clients until stopped; counts answers per version. */
function steadyTraffic(url: string, applications: readonly CreditApplication[]) {
  const byVersion = new Map<string, number>();
  let gatewayErrors = 0;
  let next = 0;
  let running = true;
  const client = async () => {
    while (running) {
      const application = applications[next++ % applications.length] as CreditApplication;
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
      // The gateway's own failures are 502–504 (unreachable, draining, timed out); a 500 is the model's.
      if (response.status >= 502 && response.status <= 504) gatewayErrors += 1;
      const version = response.headers.get('x-warden-model-version') ?? '';
      byVersion.set(version, (byVersion.get(version) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const clients = Array.from({ length: 4 }, client);
  return {
    answeredBy: (version: string) => byVersion.get(version) ?? 0,
    gatewayErrors: () => gatewayErrors,
    stop: async () => {
      running = false;
      await Promise.all(clients);
    },
  };
}
