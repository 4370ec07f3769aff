import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { parsePort } from '../context.ts';
import { CONSOLE_HOST, DEFAULT_CONSOLE_PORT, startConsole } from '../../console/server.ts';

/** Opens a URL in the desktop's browser when there is one (xdg-open / open); never fails the command. */
function openInBrowser(url: string, warn: (m: string) => void): void {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => warn(`console: cannot run ${opener}; open the URL above yourself.`));
    child.unref();
  } catch {
    warn(`console: cannot run ${opener}; open the URL above yourself.`);
  }
}

/** `pinpipe console`: a live local web page of every stage, until SIGINT/SIGTERM. */
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('console')
    .description(
      'Serve a live web page of the pipeline on 127.0.0.1: every stage with its figures, a topic browser, an S3 browser and the batch results',
    )
    .option(
      '--port <port>',
      `port on ${CONSOLE_HOST}, 0 for any free port (default: ${DEFAULT_CONSOLE_PORT})`,
      parsePort('--port'),
    )
    .option('--open', "open the page in the desktop's browser")
    .addHelpText(
      'after',
      '\nThe console listens on 127.0.0.1 only and prints its URL, which carries a random token:\n' +
        'every page and endpoint answers 403 without it. Figures refresh every second; a stage\n' +
        'that cannot be reached is shown as down with the command that starts it. Stop with Ctrl-C.\n',
    )
    .action(async (opts: { port?: number; open?: boolean }) => {
      const { profile } = ctx.profile();
      const running = await startConsole({ profile, port: opts.port ?? DEFAULT_CONSOLE_PORT });
      ctx.out(running.url);
      ctx.logger.info(`console: serving ${profile.name} on ${CONSOLE_HOST}:${running.port}; Ctrl-C stops it`);
      if (opts.open) openInBrowser(running.url, (m) => ctx.logger.warn(m));
      if (!ctx.signal.aborted) {
        await new Promise<void>((resolve) =>
          ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      }
      await running.close();
    });
}
