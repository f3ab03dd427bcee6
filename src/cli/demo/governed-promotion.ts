import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { contentDigest, openEvidenceEnvelope } from '../../core/index.js';
import { readPolicyFiles } from '../../policy/index.js';
import { openStore } from '../../store/index.js';
import { verifyAudit } from '../audit-verification.js';
import type { CliIo } from '../cli-io.js';
import { startAlertReceiver } from './alert-receiver.js';
import type { DemoControlPlane } from './control-plane.js';

/**
 * What someone with a contributor token might try: the biased evaluation with its fairness gaps
 * edited to look fair and dated later, re-sealed with Warden's own canonical JSON so its id matches,
 * and unsigned.
 */
async function forgeEvaluation(path: string): Promise<Record<string, unknown>> {
  const envelope = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const { id: _id, ...evaluation } = openEvidenceEnvelope(envelope, path).statement.predicate as {
    id: string;
    producedAt: string;
    fairness?: Record<string, unknown>[];
  };
  const body = {
    ...evaluation,
    // A minute later than the real evaluation, so that the gate reads the forgery as the latest.
    producedAt: new Date(Date.parse(evaluation.producedAt) + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    fairness: (evaluation.fairness ?? []).map((f) => ({
      ...f,
      equalizedOddsDifference: 0.01,
      demographicParityRatio: 1,
    })),
  };
  return { ...body, id: contentDigest(body) };
}

export interface GovernanceOutcome {
  /** Each step of the story did what it should. */
  asExpected: boolean;
  problems: string[];
}

/**
 * The governed-promotion story on the demo's control plane: central policies applied by an admin,
 * a high-risk model promoted only after a second person signs off, the biased version denied and
 * tagged with its owners alerted, a waiver requested and approved by someone else, the promotion
 * then allowed with the waiver on record — and an audit log that verifies, until a copy of it is
 * edited.
 */
export async function runGovernedPromotion(
  plane: DemoControlPlane,
  run: {
    policies: string;
    monitors: string;
    work: (name: string) => string;
    versionOf: { fair: string; biased: string };
  },
  io: CliIo,
  heading: (step: string, title: string) => void,
): Promise<GovernanceOutcome> {
  const say = (text: string) => io.stdout.write(`  ${text}\n`);
  const command = (text: string) => io.stdout.write(`  $ ${text}\n`);
  const problems: string[] = [];
  const expect = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  const receiver = await startAlertReceiver();
  try {
    const files = (await readPolicyFiles(run.policies)).map((f) => ({
      ...f,
      path: relative(process.cwd(), f.path),
    }));
    command(`warden policy apply ${run.policies} --revision demo   # as demo-admin`);
    const applied = await plane.call('admin', 'applyPolicySet', { body: { files, revision: 'demo' } });
    say(`policy set version ${applied.version} is active: ${applied.policies.join(', ')}`);
    const { parse } = await import('yaml');
    command(`warden monitors set credit-risk ${run.monitors}   # as credit-pipeline`);
    await plane.call('pipeline', 'setMonitors', {
      params: { model: 'credit-risk' },
      body: { monitors: parse(await readFile(run.monitors, 'utf8')) },
    });
    command(
      'warden webhook add --name "credit-risk owners" --url … --events gate.denied,version.tagged,waiver.requested,waiver.approved --team risk',
    );
    const hook = await plane.call('admin', 'createWebhook', {
      body: {
        name: 'credit-risk owners',
        url: receiver.url,
        events: ['gate.denied', 'version.tagged', 'waiver.requested', 'waiver.approved'],
        team: 'risk',
      },
    });
    receiver.useSecret(hook.secret);
    say(`the owners' receiver listens at ${receiver.url} and checks every signature`);

    heading(
      '8',
      'Governed promotions: central policies decide, a second person signs off, exceptions are waived',
    );
    const { fair, biased } = run.versionOf;
    command(`warden promote credit-risk ${fair} --to production   # as risk-committee`);
    const request = await plane.call('committee', 'requestPromotion', {
      body: { model: 'credit-risk', version: fair, alias: 'production', comment: 'quarterly release' },
    });
    say(
      `${request.status}: every rule passed (${request.decision.summary.pass} passed, ${request.decision.summary.warnings} warning), and ${request.approvalRequiredBy.join(', ')} asks a person to sign off on a high-risk model`,
    );
    expect(request.status === 'pending', `the fair version's promotion is ${request.status}, not pending`);
    command(`warden promotions approve ${request.id} --comment "…"   # as risk-committee, who asked`);
    const self = await plane
      .call('committee', 'approvePromotion', { params: { id: request.id }, body: { comment: 'looks fine' } })
      .then(
        () => 'allowed',
        (error: Error) => error.message,
      );
    say(`refused: ${self}`);
    expect(self !== 'allowed', 'the requester approved their own promotion');
    command(`warden promotions approve ${request.id} --comment "…"   # as model-risk-officer`);
    const approved = await plane.call('officer', 'approvePromotion', {
      params: { id: request.id },
      body: { comment: 'validation report reviewed; monitors in place' },
    });
    say(`${approved.status}: credit-risk@production is version ${fair}, approved by ${approved.reviewedBy}`);
    expect(approved.status === 'completed', `the approved promotion is ${approved.status}`);

    command(`warden promote credit-risk ${biased} --to staging   # as credit-pipeline`);
    const denied = await plane.call('pipeline', 'requestPromotion', {
      body: { model: 'credit-risk', version: biased, alias: 'staging' },
    });
    for (const result of denied.decision.results.filter((r) => r.blocking)) {
      say(`${denied.status}: ${result.policy}/${result.validation}: ${result.message}`);
    }
    const tagged = await plane.call('admin', 'getVersion', {
      params: { model: 'credit-risk', version: biased },
    });
    say(
      `version ${biased} is now tagged: ${
        Object.entries(tagged.tags)
          .map(([k, v]) => `${k} (${v})`)
          .join(', ') || 'nothing'
      }`,
    );
    expect(
      denied.status === 'denied' && 'biased' in tagged.tags,
      'the biased version was not denied and tagged',
    );
    await receiver.waitFor(2);
    for (const alert of receiver.alerts) {
      say(`owners' receiver got ${alert.type} (signature ${alert.signatureValid ? 'valid' : 'INVALID'})`);
    }
    expect(
      receiver.alerts.length >= 2 && receiver.alerts.every((a) => a.signatureValid),
      'the owners were not alerted with signed webhooks',
    );

    command(
      `warden waiver request --model credit-risk --version ${biased} --policy credit-fairness --validation equalized-odds --expires 14d --audit-due 30d --reason "…"   # as credit-pipeline`,
    );
    const waiver = await plane.call('pipeline', 'requestWaiver', {
      body: {
        model: 'credit-risk',
        version: biased,
        policy: 'credit-fairness',
        validation: 'equalized-odds',
        reason:
          'shadow evaluation in staging only, no customer decisions; the age-band gap is being retrained away',
        expiresIn: '14d',
        auditDueIn: '30d',
      },
    });
    command(`warden waiver approve ${waiver.id} --comment "…"   # as model-risk-officer`);
    const granted = await plane.call('officer', 'approveWaiver', {
      params: { id: waiver.id },
      body: { comment: 'staging only; revisit at the post-deployment audit' },
    });
    say(
      `waiver ${granted.id} approved by ${granted.decidedBy}, until ${granted.expiresAt} (post-deployment audit due ${granted.auditDueAt})`,
    );
    command(`warden promote credit-risk ${biased} --to staging   # as credit-pipeline`);
    const waived = await plane.call('pipeline', 'requestPromotion', {
      body: { model: 'credit-risk', version: biased, alias: 'staging' },
    });
    const waivedResults = waived.decision.results.filter((r) => r.outcome === 'waived');
    const describeWaived = (r: (typeof waivedResults)[number]) =>
      r.binding === 'warden:gate-tag'
        ? `the "biased" tag (${r.waiver})`
        : `${r.policy}/${r.validation} (${r.waiver})`;
    say(
      `${waived.status}: credit-risk@staging is version ${biased}; waived: ${waivedResults.map(describeWaived).join(', ')}`,
    );
    expect(
      waived.status === 'completed' && waivedResults.length > 0,
      'the waived promotion did not complete',
    );

    const forged = await forgeEvaluation(run.work('model-evaluation-biased.json'));
    command(
      `warden evidence submit forged-evaluation.json --model credit-risk --version ${biased}   # as credit-pipeline: the fairness gaps edited away, the id recomputed, no signature`,
    );
    const forgedReceipt = await plane.call('pipeline', 'submitEvidence', {
      params: { model: 'credit-risk', version: biased },
      body: forged,
    });
    say(`accepted as evidence ${forgedReceipt.id.slice(0, 19)}…, signer: ${forgedReceipt.signer ?? 'none'}`);
    command(`warden promote credit-risk ${biased} --to production   # as credit-pipeline`);
    const forgedPromotion = await plane.call('pipeline', 'requestPromotion', {
      body: { model: 'credit-risk', version: biased, alias: 'production' },
    });
    const untrusted = forgedPromotion.decision.results.filter(
      (r) => r.blocking && r.policy === 'trusted-evidence',
    );
    for (const result of untrusted)
      say(`${forgedPromotion.status}: ${result.policy}/${result.validation}: ${result.message}`);
    expect(
      forgedPromotion.status === 'denied' && untrusted.length > 0,
      'the forged, unsigned evaluation was not stopped by the trusted-evidence policy',
    );

    heading('9', 'The audit log: every decision above is in a hash chain with signed checkpoints');
    await plane.call('admin', 'createCheckpoint');
    command('warden audit verify');
    const intact = await verifyAudit({ publicKey: [] }, io, plane.client('viewer'));
    expect(intact === 0, 'the audit log did not verify');
    const copy = run.work('warden-tampered.db');
    await plane.copyDatabase(copy);
    const store = await openStore(`sqlite:${copy}`, { migrate: false });
    let edited = 0;
    try {
      const entry = await store.db
        .selectFrom('audit_log')
        .select('seq')
        .where('action', '=', 'waiver.approved')
        .executeTakeFirstOrThrow();
      edited = entry.seq;
      await store.db
        .updateTable('audit_log')
        .set({ actor: 'credit-pipeline' })
        .where('seq', '=', entry.seq)
        .execute();
    } finally {
      await store.close();
    }
    say(
      `in a copy of the database, entry ${edited} (the waiver approval) is edited to say the pipeline approved its own waiver`,
    );
    command(`warden audit verify --db sqlite:${copy} --audit-key ${plane.auditKey}`);
    const tampered = await verifyAudit({ db: `sqlite:${copy}`, publicKey: [], auditKey: plane.auditKey }, io);
    expect(tampered === 1, 'the edited copy verified');
    return { asExpected: problems.length === 0, problems };
  } finally {
    await receiver.close();
  }
}
