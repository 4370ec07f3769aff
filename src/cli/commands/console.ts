import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { parsePort } from '../context.ts';
import { CONSOLE_HOST, DEFAULT_CONSOLE_PORT, startConsole } from '../../console/index.ts';

const escapeAttr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A page that sends the browser on to `url`, in a folder of its own only this user can read (0700,
 * the file 0600): what `--open` hands the browser, so the token never sits on a command line, where
 * any local user can read it (ps, /proc/<pid>/cmdline). `remove` deletes it (when the console stops).
 */
export function writeLaunchPage(url: string, tmpDir = os.tmpdir()): { file: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(tmpDir, 'pinpipe-console-'));
  const file = path.join(dir, 'open.html');
  const href = escapeAttr(url);
  fs.writeFileSync(
    file,
    '<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">' +
      `<meta http-equiv="refresh" content="0;url=${href}"><title>pinpipe console</title></head>` +
      `<body><a href="${href}">Open the pinpipe console</a></body></html>\n`,
    { mode: 0o600 },
  );
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Opens the console in the desktop's browser when there is one (xdg-open / open) through a launch
 * page (writeLaunchPage); never fails the command. Returns what removes the page.
 */
function openInBrowser(url: string, warn: (m: string) => void): () => void {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const page = writeLaunchPage(url);
  try {
    const child = spawn(opener, [page.file], { stdio: 'ignore', detached: true });
    child.on('error', () => warn(`console: cannot run ${opener}; open the URL above yourself.`));
    child.unref();
  } catch {
    warn(`console: cannot run ${opener}; open the URL above yourself.`);
  }
  return page.remove;
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
    .option(
      '--open',
      "open the page in the desktop's browser (through a private launch page: the token is never on a command line)",
    )
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
      const removePage = opts.open ? openInBrowser(running.url, (m) => ctx.logger.warn(m)) : undefined;
      if (!ctx.signal.aborted) {
        await new Promise<void>((resolve) =>
          ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      }
      await running.close();
      removePage?.();
    });
}
