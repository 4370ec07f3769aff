/**
 * Whether a process with this pid exists: kill(pid, 0) succeeds, or fails with EPERM (it exists but
 * belongs to another user). Used to tell a stale lock, status or temporary file from a live one.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
