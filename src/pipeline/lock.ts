import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PinpipeError } from '../errors.ts';
import {
  formatHolder,
  holderAlive,
  parseHolder,
  systemProcReader,
  type ProcReader,
} from '../process-alive.ts';

/**
 * A pid lock file: a second `npm run demo` (or `pinpipe run`) on the same sandbox is refused with a
 * clear message instead of fighting over the proxy port and the sink's consumer group. The file names
 * its holder by pid and process start time (as the sandbox's pid files do), so a lock left behind by a
 * process that is gone, or whose pid now belongs to another process (after a reboot), is taken over.
 */
export function acquireLock(
  file: string,
  what: string,
  reader: ProcReader = systemProcReader,
): { release(): void } {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const mine = formatHolder({
    pid: process.pid,
    startTime: reader.startTime(process.pid),
    nonce: randomUUID(),
  });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx' });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          if (readText(file) === mine) fs.rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = parseHolder(readText(file) ?? '');
      if (holder && holderAlive(holder, reader)) {
        throw new PinpipeError(
          'SANDBOX_BUSY',
          `Another ${what} is already running (pid ${holder.pid}). Wait for it to finish or stop it ` +
            `(kill ${holder.pid}); if no such process runs, delete ${file}.`,
        );
      }
      fs.rmSync(file, { force: true }); // stale: its process is gone, or its pid is another process now
    }
  }
  throw new PinpipeError('SANDBOX_BUSY', `Could not take ${file}.`);
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
