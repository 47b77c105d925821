/**
 * CPU time of processes, so benchmarks on a shared, loaded machine measure work rather than
 * waiting: Linux `/proc/<pid>/task/<tid>/schedstat` gives nanoseconds on CPU per thread.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

/** Pids of this process's children whose command name is `name` (Linux only; else empty). */
export function childPids(name: string): number[] {
  return descendantPids(name, 1);
}

/**
 * Pids of this process's descendants, up to `depth` generations down, whose command name is
 * `name` (e.g. the workerd that `wrangler dev` starts is a grandchild).
 */
export function descendantPids(name: string, depth = 3): number[] {
  const parent = new Map<string, string>();
  const command = new Map<string, string>();
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      command.set(entry, stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")));
      parent.set(entry, stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1] ?? "");
    } catch {
      // The process exited while we looked.
    }
  }
  const generation = (pid: string) => {
    let up = 0;
    for (let at = pid; at !== String(process.pid); at = parent.get(at) ?? "") {
      if (++up > depth || !parent.has(at)) return Number.POSITIVE_INFINITY;
    }
    return up;
  };
  return [...command]
    .filter(([pid, comm]) => comm === name && generation(pid) <= depth)
    .map(([pid]) => Number(pid));
}

/**
 * Memory (MiB) of the given processes, summed: `VmRSS` resident now, or `VmHWM` the peak since
 * {@link resetPeakMemory} (Linux; 0 where /proc is missing).
 */
export function memoryMiB(pids: number[], field: "VmRSS" | "VmHWM"): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      kib += Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    } catch {
      // Gone.
    }
  }
  return kib / 1024;
}

/** Restarts the peak-memory count of the given processes (writes 5 to /proc/<pid>/clear_refs). */
export function resetPeakMemory(pids: number[]): void {
  for (const pid of pids) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, "5");
    } catch {
      // Not ours, or not Linux: the peak then counts from the process's start.
    }
  }
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
