import fs from 'node:fs';

/**
 * Resident memory (bytes) and CPU time (seconds, user + system, reaped children included) of a
 * process and all its descendants, from /proc (Linux; 4 KiB pages, 100 ticks a second).
 */
export function treeStats(root: number): { rss: number; cpuS: number } {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // fields after the command name (which may hold spaces) start after the last ')'
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(name);
      const ppid = Number(fields[1]);
      rss.set(pid, Number(fields[21]) * 4096);
      // utime, stime, cutime, cstime (fields 14–17)
      cpu.set(pid, (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  let cpuS = 0;
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    total += rss.get(pid) ?? 0;
    cpuS += cpu.get(pid) ?? 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return { rss: total, cpuS };
}

/**
 * Samples the tree every `everyMs` until stopped; returns the peak RSS and the CPU time seen last
 * (a lower bound: up to one interval before the end is missed). CPU time is the fairer figure on a
 * busy machine, where wall time depends on what else runs.
 */
export function peakRssSampler(pid: number, everyMs = 200): { stop(): { peakRss: number; cpuS: number } } {
  let { rss: peak, cpuS } = treeStats(pid);
  const timer = setInterval(() => {
    const s = treeStats(pid);
    peak = Math.max(peak, s.rss);
    cpuS = Math.max(cpuS, s.cpuS);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { peakRss: peak, cpuS };
    },
  };
}
