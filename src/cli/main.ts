import { type Command, CommanderError } from 'commander';
import { isWardenError, producer, WardenError } from '../core/index.js';
import type { CliIo } from './cli-io.js';
import { registerAudit } from './commands/audit.js';
import { registerBaseline } from './commands/baseline.js';
import { registerCapture } from './commands/capture.js';
import { registerCheckData } from './commands/check-data.js';
import { registerCheckDrift } from './commands/check-drift.js';
import { registerCheckModel } from './commands/check-model.js';
import { registerCheckRepro } from './commands/check-repro.js';
import { registerDemo } from './commands/demo.js';
import { registerEvidence } from './commands/evidence.js';
import { registerGate } from './commands/gate.js';
import { registerGateway } from './commands/gateway.js';
import { registerKeys } from './commands/key.js';
import { registerLineage } from './commands/lineage.js';
import { registerModels } from './commands/models.js';
import { registerMonitor } from './commands/monitor.js';
import { registerMonitors } from './commands/monitors.js';
import { registerPolicy } from './commands/policy.js';
import { registerPromotions } from './commands/promote.js';
import { registerRollout } from './commands/rollout.js';
import { registerServer } from './commands/server.js';
import { registerSlo } from './commands/slo.js';
import { registerTokens } from './commands/tokens.js';
import { registerVersions } from './commands/versions.js';
import { registerWaivers } from './commands/waiver.js';
import { registerWebhooks } from './commands/webhook.js';
import { StrictCommand } from './strict-command.js';

/** Exit codes (docs/architecture.md, "Results and errors"): 0 passed, 1 a gate or check failed, 2 bad usage or input, 3 a fault. */
export const exitCodes = { passed: 0, failed: 1, badInput: 2, fault: 3 } as const;

function buildProgram(io: CliIo): Command {
  const program = new StrictCommand('warden')
    .description('Warden — ML governance gates: data contracts, model checks, policies and evidence')
    .version(producer.version)
    // Options after a command are that command's own: `check model --version 3` is the model version.
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  const check = program.command('check').description('run a check and record its evidence');
  registerCheckData(check, io);
  registerCheckModel(check, io);
  registerCheckDrift(check, io);
  registerCheckRepro(check, io);
  registerCapture(program, io);
  registerBaseline(program, io);
  registerGate(program, io);
  registerPolicy(program, io);
  registerPromotions(program, io);
  registerWaivers(program, io);
  registerAudit(program, io);
  registerWebhooks(program, io);
  registerMonitors(program, io);
  registerMonitor(program, io);
  registerSlo(program, io);
  registerServer(program, io);
  registerGateway(program, io);
  registerRollout(program, io);
  registerModels(program, io);
  registerVersions(program, io);
  registerEvidence(program, io);
  registerLineage(program, io);
  registerTokens(program, io);
  registerKeys(program, io);
  registerDemo(program, io);
  return program;
}

/**
 * Runs the `warden` command line and returns its exit code. Coded errors print as one message
 * naming the place and the fix, never a stack trace (set WARDEN_DEBUG=1 to see one).
 */
export async function main(
  argv: readonly string[],
  streams: Pick<CliIo, 'stdout' | 'stderr'> = process,
): Promise<number> {
  const io: CliIo = {
    stdout: streams.stdout,
    stderr: streams.stderr,
    exitCode: exitCodes.passed,
    usageError(message: string): never {
      throw new WardenError('WARDEN_ERR_USAGE_INVALID_OPTION', message);
    },
  };
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return io.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return exitCodes.passed;
      return exitCodes.badInput;
    }
    if (isWardenError(error)) {
      io.stderr.write(`warden: ${error.message}\n  [${error.code}]\n`);
      if (process.env['WARDEN_DEBUG']) io.stderr.write(`${error.stack ?? ''}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(
      `warden: internal error: ${message}\n  This is a bug in Warden; please report it with the command you ran (WARDEN_DEBUG=1 prints the stack).\n`,
    );
    if (process.env['WARDEN_DEBUG'] && error instanceof Error) io.stderr.write(`${error.stack ?? ''}\n`);
    return exitCodes.fault;
  }
}
