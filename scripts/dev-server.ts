import { type ChildProcess, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type LocalStack, startLocalStack } from "./local-stack";

const root = join(import.meta.dirname, "..");
const HEALTH_DEADLINE_MS = 60_000;

export interface DevServerOptions {
  port: number;
  dataDir: string;
  dbPort?: number;
  s3Port?: number;
  pgUrl?: string;
  /** Extra Worker vars (e.g. FETCH_ALLOW_HOSTS for a local site). */
  vars?: Record<string, string>;
  /** Pass wrangler's output through (true for `npm run dev`). */
  verbose?: boolean;
  /**
   * Apply the checkout's `.dev.vars` (true for `npm run dev`). Benchmarks and tests leave it off
   * so that a developer's settings cannot change what they measure.
   */
  devVars?: boolean;
}

export interface DevServer {
  url: string;
  stack: LocalStack;
  stop(): Promise<void>;
}

/** Keys set in `.dev.vars`: wrangler applies that file itself, and it wins over our defaults. */
async function devVarsKeys(): Promise<Set<string>> {
  const text = await readFile(join(root, ".dev.vars"), "utf8").catch(() => "");
  return new Set(
    text
      .split("\n")
      .map((line) => /^\s*([A-Z0-9_]+)\s*=/.exec(line)?.[1])
      .filter((key): key is string => Boolean(key)),
  );
}

async function waitForHealth(url: string, wrangler: ChildProcess): Promise<void> {
  const deadline = Date.now() + HEALTH_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (wrangler.exitCode !== null) throw new Error("wrangler dev exited during start-up");
    const healthy = await fetch(url)
      .then((response) => response.ok)
      .catch(() => false);
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not answer 200 within ${HEALTH_DEADLINE_MS / 1000} s`);
}

/**
 * The local stack plus `wrangler dev` on `port`, healthy when this resolves.
 *
 * @example
 * const server = await startDevServer({ port: 8787, dataDir: ".data" });
 * await fetch(`${server.url}/v1/system/health`);
 * await server.stop();
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const stack = await startLocalStack({
    dataDir: options.dataDir,
    dbPort: options.dbPort,
    s3Port: options.s3Port,
    pgUrl: options.pgUrl,
  });
  const overridden = options.devVars ? await devVarsKeys() : new Set<string>();
  const vars = { ...stack.workerVars, ...options.vars };
  const varArgs = Object.entries(vars)
    .filter(([key]) => !overridden.has(key))
    .flatMap(([key, value]) => ["--var", `${key}:${value}`]);
  const args = ["dev", "--port", String(options.port), "--ip", "127.0.0.1"];
  // An explicit env file replaces wrangler's default `.dev.vars`; an empty one means none.
  if (!options.devVars) {
    const noVars = join(options.dataDir, "empty.env");
    await writeFile(noVars, "");
    args.push("--env-file", noVars);
  }
  args.push("--persist-to", join(options.dataDir, "wrangler"), ...varArgs);
  const wrangler = spawn("wrangler", args, {
    cwd: root,
    stdio: options.verbose ? "inherit" : "ignore",
  });
  const stop = async () => {
    if (wrangler.exitCode === null) {
      const exited = new Promise((resolve) => wrangler.once("exit", resolve));
      wrangler.kill("SIGTERM");
      await exited;
    }
    await stack.close();
  };
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitForHealth(`${url}/v1/system/health`, wrangler);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stack, stop };
}
