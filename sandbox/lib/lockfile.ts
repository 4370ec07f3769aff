/** The sandbox's lock file is the project's one file lock (src/file-lock.ts). */
export { acquireFileLock, type LockOptions } from '../../src/file-lock.ts';
export { formatHolder, holderAlive, parseHolder, type LockHolder } from '../../src/process-alive.ts';
