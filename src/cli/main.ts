import { Command, CommanderError, Option } from 'commander';
import { createContext, type CommandContext } from './context.ts';
import { exitCodeFor, ExitCode } from './exit-codes.ts';
import { packageVersion } from './version.ts';
import { isPinpipeError, describeError } from '../errors.ts';
import { log, setLogLevel } from '../log.ts';
import { commandName, loadCommands, type RegisterCommand } from './commands/index.ts';
import { LOG_LEVELS, readEnv } from '../config/index.ts';

/**
 * The `pinpipe` command table. The only place that maps errors to exit codes: commands throw
 * PinpipeError (or return), this handler logs the message once and sets process.exitCode.
 */
export function buildProgram(
  ctxHolder: { ctx?: CommandContext },
  signal: AbortSignal,
  commands: RegisterCommand[] = [],
): Command {
  const program = new Command('pinpipe')
    .description('The Pinterest data pipeline on one machine, and the same code on AWS.')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .option(
      '-p, --profile <name>',
      'profile name (profiles/<name>.yaml) or path; env PINPIPE_PROFILE',
      undefined,
    )
    .addOption(
      new Option('--log-level <level>', 'debug | info | warn | error; env PINPIPE_LOG_LEVEL').choices(
        LOG_LEVELS,
      ),
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .hook('preAction', (thisCommand) => {
      const level = thisCommand.opts<{ logLevel?: string }>().logLevel;
      if (level) setLogLevel(level);
    });
  const ctx = createContext(program, signal);
  ctxHolder.ctx = ctx;
  for (const register of commands) register(program, ctx);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(ExitCode.INTERRUPTED);
    log().warn(`${sig} received: stopping cleanly (press Ctrl-C again to force)`);
    controller.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const holder: { ctx?: CommandContext } = {};
  try {
    // The environment is checked first, so a bad PINPIPE_LOG_LEVEL is a usage error even for --help.
    readEnv();
    const program = buildProgram(holder, controller.signal, await loadCommands(commandName(argv)));
    await program.parseAsync(argv);
    return controller.signal.aborted && process.exitCode === undefined
      ? ExitCode.OK
      : Number(process.exitCode ?? ExitCode.OK);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are "errors" to commander; their exit code is 0
      return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    if (isPinpipeError(err)) {
      log().error(`${err.message} [${err.code}]`);
      return exitCodeFor(err.code);
    }
    log().error(`Unexpected failure: ${describeError(err)}. Re-run with --log-level debug and report it.`);
    log().debug({ err }, 'stack');
    return ExitCode.FAILURE;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const isEntry = process.argv[1] && /src[\\/]cli[\\/]main\.ts$/.test(process.argv[1]);
if (isEntry) {
  const code = await main();
  process.exitCode = code;
}
