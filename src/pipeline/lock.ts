import fs from 'node:fs';
import path from 'node:path';
import { PinpipeError } from '../errors.ts';
import { acquireFileLock } from '../file-lock.ts';
import type { ProcReader } from '../process-alive.ts';

/**
 * The lock of `pinpipe run` and `npm run demo`: a second one on the same sandbox is refused with a
 * clear message instead of fighting over the proxy port and the sink's consumer group. It is the
 * project's one file lock (src/file-lock.ts): the file names its holder by pid and process start time,
 * so a lock left behind by a process that is gone, or whose pid now belongs to another process (after
 * a reboot), is taken over, by one waiter only.
 */
export async function acquireLock(
  file: string,
  what: string,
  reader?: ProcReader,
  beforeTakeover?: () => Promise<void>,
): Promise<{ release(): void }> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const release = await acquireFileLock(file, {
    timeoutMs: 0,
    reader,
    beforeTakeover,
    busy: (holder) =>
      new PinpipeError(
        'SANDBOX_BUSY',
        holder
          ? `Another ${what} is already running (pid ${holder.pid}). Wait for it to finish or stop it ` +
              `(kill ${holder.pid}); if no such process runs, delete ${file}.`
          : `Another ${what} is starting (${file} is being written). Wait a few seconds and try again; ` +
              `if no ${what} runs, delete ${file}.`,
      ),
  });
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      release();
    },
  };
}
