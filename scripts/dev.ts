// `npm run dev`: the local stack (database endpoint, S3) and `wrangler dev`, until Ctrl-C.
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { startLocalStack } from "./local-stack";

const root = join(import.meta.dirname, "..");
const port = Number(process.env.LINKBASE_PORT ?? 8787);
const dataDir = process.env.LOCAL_DATA_DIR ?? join(root, ".data");
const HEALTH_DEADLINE_MS = 60_000;

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

const stack = await startLocalStack({
  dataDir,
  dbPort: Number(process.env.LOCAL_DB_PORT ?? 4444),
  s3Port: Number(process.env.LOCAL_S3_PORT ?? 4569),
  pgUrl: process.env.LOCAL_PG_URL,
});
const overridden = await devVarsKeys();
const varArgs = Object.entries(stack.workerVars)
  .filter(([key]) => !overridden.has(key))
  .flatMap(([key, value]) => ["--var", `${key}:${value}`]);

const wrangler = spawn(
  "wrangler",
  [
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--persist-to",
    join(dataDir, "wrangler"),
    ...varArgs,
  ],
  { cwd: root, stdio: ["inherit", "inherit", "inherit"] },
);

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  wrangler.kill("SIGTERM");
  await stack.close();
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
wrangler.on("exit", (code) => void stop(code ?? 0));

try {
  await waitForHealth(`http://127.0.0.1:${port}/v1/system/health`, wrangler);
  console.log(`
Linkbase is running
  API            http://localhost:${port}/v1
  Reference      http://localhost:${port}/docs
  OpenAPI        http://localhost:${port}/openapi.json
  Database       ${stack.db.url} (round trips: ${stack.db.url.replace(/\/sql$/, "/stats")})
  S3             ${stack.s3.endpoint}/linkbase
  Data           ${dataDir}
Ctrl-C stops everything.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stop(1);
}
