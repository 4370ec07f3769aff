import { Command, CommanderError } from 'commander';
import { chalk } from './color.ts';
import { loadProfile, readEnv, type Profile } from '../../src/config/index.ts';
import { exitCodeFor, ExitCode } from '../../src/cli/index.ts';
import { isPinpipeError, describeError } from '../../src/errors.ts';

export interface ScriptContext {
  profile: Profile;
  cacheDir: string;
  say: (msg: string) => void;
  opts: Record<string, unknown>;
}

/** Shared frame of the entry scripts: --help, --profile, one error → exit-code mapping. */
export async function runScript(
  name: string,
  description: string,
  configure: (cmd: Command) => Command,
  body: (ctx: ScriptContext) => Promise<number | void>,
): Promise<never> {
  const cmd = configure(
    new Command(name)
      .description(description)
      .option('-p, --profile <name>', 'profile name or path (env PINPIPE_PROFILE; default local)')
      .exitOverride(),
  );
  let code: number;
  try {
    // The environment is checked first, so a bad PINPIPE_LOG_LEVEL is a usage error even for --help.
    const env = readEnv();
    cmd.parse(process.argv);
    const opts = cmd.opts();
    const { profile, warnings } = loadProfile(opts.profile as string | undefined, env);
    const say = (msg: string) => process.stderr.write(`${chalk.dim(`[${name}]`)} ${msg}\n`);
    for (const w of warnings) say(`warning: ${w}`);
    code = (await body({ profile, cacheDir: env.cacheDir, say, opts })) ?? ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      code = err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    } else if (isPinpipeError(err)) {
      process.stderr.write(`${chalk.red(`[${name}] ${err.message}`)} [${err.code}]\n`);
      code = exitCodeFor(err.code);
    } else {
      process.stderr.write(`${chalk.red(`[${name}] unexpected failure: ${describeError(err)}`)}\n`);
      if (readEnv().logLevel === 'debug') console.error(err);
      code = ExitCode.FAILURE;
    }
  }
  process.exit(code);
}
