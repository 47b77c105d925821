/**
 * CPU time of processes, so benchmarks on a shared, loaded machine measure work rather than
 * waiting: Linux `/proc/<pid>/task/<tid>/schedstat` gives nanoseconds on CPU per thread.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Pids of this process's children whose command name is `name` (Linux only; else empty). */
export function childPids(name: string): number[] {
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
      if (comm === name && ppid === String(process.pid)) pids.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return pids;
}

/**
 * Milliseconds on CPU so far, summed over every thread of the given processes.
 *
 * @example
 * const before = cpuMs([pid]); work(); const spent = cpuMs([pid]) - before;
 */
export function cpuMs(pids: number[]): number {
  let ns = 0;
  for (const pid of pids) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // The thread exited while we looked.
      }
    }
  }
  return ns / 1e6;
}

/** Milliseconds on CPU so far for this Node process, all threads included. */
export function selfCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
