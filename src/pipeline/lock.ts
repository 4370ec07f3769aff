import fs from 'node:fs';
import path from 'node:path';
import { PinpipeError } from '../errors.ts';
import { processAlive } from '../process-alive.ts';

/**
 * A pid lock file: a second `npm run demo` (or `pinpipe run`) on the same sandbox is refused with a
 * clear message instead of fighting over the proxy port and the sink's consumer group.
 */
export function acquireLock(file: string, what: string): { release(): void } {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(file, 'utf8').trim());
      if (holder > 0 && processAlive(holder)) {
        throw new PinpipeError(
          'SANDBOX_BUSY',
          `Another ${what} is already running (pid ${holder}). Wait for it to finish or stop it ` +
            `(kill ${holder}); if no such process runs, delete ${file}.`,
        );
      }
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new PinpipeError('SANDBOX_BUSY', `Could not take ${file}.`);
}
