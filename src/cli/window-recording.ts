import type { EvidenceSigningKey } from '../core/index.js';
import type { WindowRecording } from '../gateway/index.js';
import type { CliIo } from './cli-io.js';
import { type ServerClient, serverClient } from './server-client.js';
import { outgoingEvidence, signingKeyFrom } from './signing.js';

/** The flags that say where judged monitoring windows go: `warden gateway` and `warden monitor aggregate`. */
export interface WindowRecordingFlags {
  evidenceDir?: string;
  server?: string;
  signKey?: string;
}

export const evidenceDirHelp =
  "write each monitoring window's monitor-status evidence here (routes with a baseline)";
export const serverSubmitHelp =
  "submit each window's monitor-status evidence to the served version on this control plane (token from WARDEN_TOKEN)";
export const signKeyHelp =
  'with --server: sign the evidence with this Ed25519 key (default: $WARDEN_SIGNING_KEY)';

/**
 * Where each window's evidence goes (a directory, the control plane, signed) and how it is reported
 * on stderr, prefixed with the command's name. Refuses to start without a token for --server.
 */
export async function windowRecording(
  flags: WindowRecordingFlags,
  io: CliIo,
  command: string,
): Promise<WindowRecording> {
  const client = flags.server === undefined ? undefined : serverClient({ server: flags.server });
  client?.requireToken();
  const signingKey = client === undefined ? undefined : await signingKeyFrom(flags.signKey, io);
  return {
    ...(flags.evidenceDir ? { evidenceDir: flags.evidenceDir } : {}),
    ...(client === undefined ? {} : { submit: submitToControlPlane(client, signingKey) }),
    onWindow: windowReporter(io, command),
  };
}

/** Submits a window's evidence, signed when there is a key, to the version it watched. */
export function submitToControlPlane(
  client: ServerClient,
  signingKey: EvidenceSigningKey | undefined,
): NonNullable<WindowRecording['submit']> {
  return async (evidence, target) => {
    const outgoing = outgoingEvidence(evidence, signingKey);
    const receipt = await client.call('submitEvidence', {
      params: target,
      body: (outgoing.envelope ?? outgoing.document) as unknown as Record<string, unknown>,
    });
    return `submitted as ${receipt.id} (${receipt.signer ? `signed by ${receipt.signer}` : 'unsigned'})`;
  };
}

/** One line per judged window on stderr, prefixed with the command's name; failures on their own line. */
function windowReporter(io: CliIo, command: string): NonNullable<WindowRecording['onWindow']> {
  return ({ model, version, file, submitted, error, status }) => {
    const where = [file, submitted].filter(Boolean).join('; ');
    if (where) {
      const replicas = status.replicas > 1 ? ` from ${status.replicas} replicas` : '';
      io.stderr.write(
        `${command}: ${model} version ${version}: window of ${status.requests.total} requests${replicas}, ${status.features.filter((f) => f.drifted).length} features drifted: ${where}\n`,
      );
    }
    if (error) io.stderr.write(`${command}: ${model} version ${version}: ${error}\n`);
  };
}
