// Worker startup CPU from `wrangler check startup` (a CPU profile of the main module's evaluation
// in workerd), five runs each for Linkbase and a bare Hono hello-world built the same way, plus
// startup and the first API request profiled together, so work moved out of startup into that
// request stays visible. Prints medians of active CPU and GC, ratios to the hello-world, and
// where Linkbase's time goes. Exits 1 when Linkbase's median startup passes the budget.
// Run: npm run bench:startup [runs]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { recordSummary } from "./lib/summary";

const root = join(import.meta.dirname, "..");
const BUDGET_MS = 20;
const RUNS = Number(process.argv[2] ?? 5);
const work = mkdtempSync(join(tmpdir(), "linkbase-startup-"));

/** The first request: authenticated routes answer 401 before any database round trip. */
const FIRST_REQUEST = { method: "GET", path: "/v1/projects", status: 401 };
/** Settings the first request reads, besides the vars in wrangler.toml. Nothing is contacted. */
const SECRETS = {
  JWT_SECRET: "bench-secret-bench-secret-bench-secret",
  DATABASE_URL: "postgres://bench:bench@127.0.0.1:9/bench",
  S3_ENDPOINT: "http://127.0.0.1:9",
  S3_ACCESS_KEY_ID: "bench",
  S3_SECRET_ACCESS_KEY: "bench",
};

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface Profile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** The multipart bundle `wrangler deploy --outfile` writes: metadata, modules, source maps. */
interface Bundle {
  path: string;
  metadata: {
    main_module: string;
    compatibility_date?: string;
    compatibility_flags?: string[];
    bindings?: { name: string; type: string; text?: string }[];
  };
  modules: { name: string; contents: string }[];
  /** By module name: the build is minified, as deployed, so profiles are read through these. */
  maps: Map<string, TraceMap>;
}

/** Builds once with `wrangler deploy --dry-run` (as `check startup` does); runs share it. */
async function build(name: string, configPath: string): Promise<Bundle> {
  const path = join(work, `${name}.bundle`);
  execFileSync("wrangler", ["deploy", "--dry-run", "--config", configPath, "--outfile", path], {
    cwd: root,
    stdio: "pipe",
  });
  const bytes = readFileSync(path);
  const boundary = bytes.subarray(2, bytes.indexOf(10)).toString().trim();
  const form = await new Response(bytes, {
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  }).formData();
  const bundle: Bundle = { path, metadata: { main_module: "" }, modules: [], maps: new Map() };
  for (const [part, value] of form) {
    if (part === "metadata") bundle.metadata = JSON.parse(String(value));
    else if (typeof value === "string") continue;
    else if (part.endsWith(".map"))
      bundle.maps.set(part.slice(0, -4), new TraceMap(await value.text()));
    else bundle.modules.push({ name: part, contents: await value.text() });
  }
  return bundle;
}

/** Startup alone: `wrangler check startup` on the prebuilt bundle. */
function profileStartup(bundle: Bundle, run: number): Profile {
  const outfile = `${bundle.path}-${run}.cpuprofile`;
  execFileSync("wrangler", ["check", "startup", "--worker", bundle.path, "--outfile", outfile], {
    cwd: root,
    stdio: "pipe",
  });
  return JSON.parse(readFileSync(outfile, "utf8")) as Profile;
}

/**
 * Startup plus the first request, profiled as `wrangler check startup` profiles startup (same
 * inspector, same sampling): the first request's handler imports the main module, then the
 * module serves that request. Fails unless the request is answered as expected.
 */
async function profileFirstRequest({ metadata, modules }: Bundle): Promise<Profile> {
  const vars = Object.fromEntries(
    (metadata.bindings ?? []).flatMap((binding) =>
      binding.type === "plain_text" ? [[binding.name, binding.text ?? ""]] : [],
    ),
  );
  const entry = `export default {
    async fetch(request, env, ctx) {
      const { default: worker } = await import("./${metadata.main_module}");
      return worker.fetch(request, env, ctx);
    },
  };`;
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      name: "first-request",
      compatibilityDate: metadata.compatibility_date,
      compatibilityFlags: metadata.compatibility_flags,
      bindings: { ...vars, ...SECRETS },
      modulesRoot: "/",
      modules: [
        { type: "ESModule", path: "/first-request-entry.mjs", contents: entry },
        ...modules.map(({ name, contents }) => ({
          type: "ESModule" as const,
          path: `/${name}`,
          contents,
        })),
      ],
      inspectorPort: 0,
      handleStructuredLogs: () => {},
    }),
  );
  try {
    await mf.ready;
    const inspector = new WebSocket(
      new URL("/core:user:first-request", await mf.getInspectorURL()),
    );
    await new Promise((resolve, reject) => {
      inspector.addEventListener("open", resolve, { once: true });
      inspector.addEventListener("error", reject, { once: true });
    });
    let id = 0;
    const send = (method: string) =>
      new Promise<{ profile?: Profile }>((resolve) => {
        const ownId = ++id;
        const onMessage = (event: MessageEvent) => {
          const message = JSON.parse(String(event.data)) as { id?: number; result: object };
          if (message.id !== ownId) return;
          inspector.removeEventListener("message", onMessage);
          resolve(message.result);
        };
        inspector.addEventListener("message", onMessage);
        inspector.send(JSON.stringify({ id: ownId, method }));
      });
    await send("Profiler.enable");
    await send("Profiler.start");
    const response = await mf.dispatchFetch(`https://linkbase.test${FIRST_REQUEST.path}`, {
      method: FIRST_REQUEST.method,
    });
    const body = await response.text();
    const { profile } = await send("Profiler.stop");
    inspector.close();
    if (response.status !== FIRST_REQUEST.status) {
      throw new Error(`first request answered ${response.status}: ${body.slice(0, 500)}`);
    }
    if (!profile) throw new Error("the inspector returned no profile");
    return profile;
  } finally {
    await mf.dispose();
  }
}

/** `name (source:line)` of a profiled function, read through the bundle's source map. */
function describe(maps: Bundle["maps"], frame: CallFrame): string {
  const map = maps.get(frame.url.split("/").pop() ?? "");
  // Line -1 marks frames with no position (natives, a script's top level as a whole).
  const original =
    map && frame.lineNumber >= 0
      ? originalPositionFor(map, { line: frame.lineNumber + 1, column: frame.columnNumber })
      : undefined;
  if (!original?.source) {
    const where = frame.url.split("/").pop();
    return where ? `${frame.functionName || "(anonymous)"} (${where})` : frame.functionName;
  }
  // Sources are relative to the config's folder: keep the package path or the repo path.
  const source = original.source.includes("node_modules/")
    ? original.source.replace(/^.*node_modules\//, "")
    : original.source.replace(/^.*?(?=(src|bench)\/)/, "");
  return `${original.name ?? (frame.functionName || "(anonymous)")} (${source}:${original.line})`;
}

interface Run {
  activeMs: number;
  gcMs: number;
  /** Self time (ms) per function, keyed `name (source:line)`. */
  self: Map<string, number>;
}

/** Active and GC time summed as `wrangler check startup` sums them, plus self time. */
function summarize(profile: Profile, maps: Bundle["maps"]): Run {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const samples = profile.samples ?? [];
  const self = new Map<string, number>();
  let activeUs = 0;
  let gcUs = 0;
  (profile.timeDeltas ?? []).forEach((delta, index) => {
    const frame = nodes.get(samples[index] ?? 0)?.callFrame;
    if (!frame || frame.functionName === "(idle)") return;
    activeUs += delta;
    if (frame.functionName === "(garbage collector)") gcUs += delta;
    const key = describe(maps, frame);
    self.set(key, (self.get(key) ?? 0) + delta / 1000);
  });
  return { activeMs: activeUs / 1000, gcMs: gcUs / 1000, self };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

// The hello-world gets this repo's compatibility date, no flags, and a minified build.
const helloConfig = join(work, "hello.toml");
writeFileSync(
  helloConfig,
  `name = "hello"\nmain = "${join(root, "bench/fixtures/hello.ts")}"\ncompatibility_date = "2026-11-01"\nminify = true\n`,
);
const hello = await build("hello", helloConfig);
const linkbase = await build("linkbase", join(root, "wrangler.toml"));

const WORKERS = {
  hello: "hono hello-world (baseline)",
  startup: "linkbase startup",
  first: `linkbase startup + first request (${FIRST_REQUEST.method} ${FIRST_REQUEST.path}, ${FIRST_REQUEST.status})`,
};
type Worker = keyof typeof WORKERS;

// Interleaved, so load on the machine falls on all alike.
const runs: Record<Worker, Run[]> = { hello: [], startup: [], first: [] };
for (let run = 0; run < RUNS; run++) {
  runs.hello.push(summarize(profileStartup(hello, run), hello.maps));
  runs.startup.push(summarize(profileStartup(linkbase, run), linkbase.maps));
  runs.first.push(summarize(await profileFirstRequest(linkbase), linkbase.maps));
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const summary = (name: Worker) => ({
  active: median(runs[name].map((run) => run.activeMs)),
  gc: median(runs[name].map((run) => run.gcMs)),
  all: runs[name].map((run) => run.activeMs.toFixed(1)).join(", "),
});
const baseline = summary("hello");
// A hello-world often starts between two profiler ticks and reads 0 ms.
const ratio = (value: number) =>
  baseline.active > 0 ? `${(value / baseline.active).toFixed(1)}x` : "n/a";

// The profiler's clock runs on while the isolate waits for a CPU, so load inflates every figure.
const load = loadavg()
  .map((value) => value.toFixed(1))
  .join(" / ");
console.log(`Medians of ${RUNS} runs, active CPU (GC included), load average ${load} (1/5/15 min)`);
console.log(`on ${availableParallelism()} CPUs:\n`);
console.log("| worker | active CPU | of which GC | ratio | runs |");
console.log("|---|---|---|---|---|");
for (const name of Object.keys(WORKERS) as Worker[]) {
  const { active, gc, all } = summary(name);
  console.log(`| ${WORKERS[name]} | ${ms(active)} | ${ms(gc)} | ${ratio(active)} | ${all} |`);
}

/** Self time summed over all runs, shown per run. */
function topSelfTime(name: Worker) {
  const totals = new Map<string, number>();
  for (const run of runs[name]) {
    for (const [key, value] of run.self) totals.set(key, (totals.get(key) ?? 0) + value);
  }
  console.log(`\nTop self time, ${WORKERS[name]} (ms per run, mean; a profiler tick is 1-15 ms):`);
  for (const [key, value] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`  ${(value / RUNS).toFixed(1).padStart(5)}  ${key}`);
  }
}
topSelfTime("startup");
topSelfTime("first");

const startup = summary("startup");
const first = summary("first");
recordSummary([
  {
    benchmark: "startup",
    figure: `active startup CPU (\`wrangler check startup\`), median of ${RUNS}`,
    value: ms(startup.active),
    baseline: "Hono hello-world",
    baselineValue: ms(baseline.active),
    ratio: `${ratio(startup.active)} (budget ${BUDGET_MS} ms)`,
  },
  {
    benchmark: "startup",
    figure: `startup + first request (${FIRST_REQUEST.method} ${FIRST_REQUEST.path})`,
    value: ms(first.active),
    baseline: "Hono hello-world",
    baselineValue: ms(baseline.active),
    ratio: ratio(first.active),
  },
]);
const verdict = startup.active <= BUDGET_MS ? "within" : "OVER";
console.log(`\nBudget ${ms(BUDGET_MS)} for startup: ${verdict} (${ms(startup.active)}).`);
if (startup.active > BUDGET_MS) process.exitCode = 1;
