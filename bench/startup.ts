// Worker startup CPU from `wrangler check startup` (a local CPU profile of the main module's
// evaluation in workerd), five runs each for Linkbase and a bare Hono hello-world built the same
// way. Prints medians of active CPU and GC, the ratio, and where Linkbase's time goes. Exits 1
// when the median passes the budget. Run: npm run bench:startup [runs]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordSummary } from "./lib/summary";

const root = join(import.meta.dirname, "..");
const BUDGET_MS = 20;
const RUNS = Number(process.argv[2] ?? 5);
const work = mkdtempSync(join(tmpdir(), "linkbase-startup-"));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Per bundled module file: the lines where esbuild's `// src/…` source markers start. */
type SourceMap = Map<string, { line: number; source: string }[]>;

/** Reads the multipart bundle's modules and esbuild's source markers in each. */
async function sourceMarkers(bundle: string): Promise<SourceMap> {
  const bytes = readFileSync(bundle);
  const boundary = bytes.subarray(2, bytes.indexOf(10)).toString().trim();
  const form = await new Response(bytes, {
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  }).formData();
  const markers: SourceMap = new Map();
  for (const [name, value] of form) {
    if (typeof value === "string" || !name.endsWith(".js")) continue;
    const lines = (await value.text()).split("\n");
    const found: { line: number; source: string }[] = [];
    lines.forEach((text, line) => {
      const source = /^\/\/ (?:\S*?\/)?((?:src|node_modules|bench)\/\S+)$/.exec(text)?.[1];
      if (source) found.push({ line, source: source.replace(/^.*node_modules\//, "") });
    });
    markers.set(name, found);
  }
  return markers;
}

/** The source file a profiled line of the bundle came from. */
function sourceOf(markers: SourceMap, url: string, line: number): string | undefined {
  const file = url.split("/").pop() ?? url;
  let source: string | undefined;
  for (const marker of markers.get(file) ?? []) {
    if (marker.line > line) break;
    source = marker.source;
  }
  return source;
}

interface Run {
  activeMs: number;
  gcMs: number;
  /** Self time (ms) per function, keyed `name (module:line)`. */
  self: Map<string, number>;
}

/** Builds once (`wrangler deploy --dry-run`, as `check startup` does), so runs share a bundle. */
function build(name: string, configPath: string): string {
  const bundle = join(work, `${name}.bundle`);
  execFileSync("wrangler", ["deploy", "--dry-run", "--config", configPath, "--outfile", bundle], {
    cwd: root,
    stdio: "pipe",
  });
  return bundle;
}

/** Active and GC time the same way `wrangler check startup` sums them, plus self time. */
function profileOnce(name: string, bundle: string, run: number, markers: SourceMap): Run {
  const outfile = join(work, `${name}-${run}.cpuprofile`);
  execFileSync("wrangler", ["check", "startup", "--worker", bundle, "--outfile", outfile], {
    cwd: root,
    stdio: "pipe",
  });
  const profile = JSON.parse(readFileSync(outfile, "utf8")) as Profile;
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
    const where = sourceOf(markers, frame.url, frame.lineNumber) ?? frame.url.split("/").pop();
    const key = where ? `${frame.functionName || "(anonymous)"} (${where})` : frame.functionName;
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

// The hello-world gets this repo's compatibility date and no flags; the cold-request worker is
// Linkbase's own config with the fixture as its entry.
const helloConfig = join(work, "hello.toml");
writeFileSync(
  helloConfig,
  `name = "hello"\nmain = "${join(root, "bench/fixtures/hello.ts")}"\ncompatibility_date = "2026-11-01"\n`,
);
const coldConfig = join(work, "cold.toml");
writeFileSync(
  coldConfig,
  readFileSync(join(root, "wrangler.toml"), "utf8")
    .replace(/^main = .*$/m, `main = "${join(root, "bench/fixtures/first-request.ts")}"`)
    .replaceAll('"./src/', `"${root}/src/`),
);
const WORKERS = {
  hello: "hono hello-world (baseline)",
  linkbase: "linkbase startup",
  cold: "linkbase startup + first request (GET /v1/projects, 401)",
};
type Worker = keyof typeof WORKERS;
const bundles: Record<Worker, string> = {
  hello: build("hello", helloConfig),
  linkbase: build("linkbase", join(root, "wrangler.toml")),
  cold: build("cold", coldConfig),
};
const markers = await sourceMarkers(bundles.linkbase);
const coldMarkers = await sourceMarkers(bundles.cold);

// Interleaved, so load on the machine falls on all alike.
const runs: Record<Worker, Run[]> = { hello: [], linkbase: [], cold: [] };
for (let run = 0; run < RUNS; run++) {
  for (const name of Object.keys(WORKERS) as Worker[]) {
    runs[name].push(profileOnce(name, bundles[name], run, name === "cold" ? coldMarkers : markers));
  }
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const summary = (name: Worker) => ({
  active: median(runs[name].map((run) => run.activeMs)),
  gc: median(runs[name].map((run) => run.gcMs)),
  all: runs[name].map((run) => run.activeMs.toFixed(1)).join(", "),
});
const hello = summary("hello");
// A hello-world often starts between two profiler ticks and reads 0 ms.
const ratio = (value: number) =>
  hello.active > 0 ? `${(value / hello.active).toFixed(1)}x` : "n/a";

console.log(`Median of ${RUNS} runs of \`wrangler check startup\` (active CPU, GC included):\n`);
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
  console.log(
    `\nTop self time, ${WORKERS[name]} (ms per run, mean; one profiler tick is 1-15 ms):`,
  );
  for (const [key, value] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`  ${(value / RUNS).toFixed(1).padStart(5)}  ${key}`);
  }
}
topSelfTime("linkbase");
topSelfTime("cold");

const linkbase = summary("linkbase");
const cold = summary("cold");
recordSummary([
  {
    benchmark: "startup",
    figure: `active startup CPU (\`wrangler check startup\`), median of ${RUNS}`,
    value: ms(linkbase.active),
    baseline: "Hono hello-world",
    baselineValue: ms(hello.active),
    ratio: `${ratio(linkbase.active)} (budget ${BUDGET_MS} ms)`,
  },
  {
    benchmark: "startup",
    figure: "startup + first request (GET /v1/projects)",
    value: ms(cold.active),
    baseline: "Hono hello-world",
    baselineValue: ms(hello.active),
    ratio: ratio(cold.active),
  },
]);
const verdict = linkbase.active <= BUDGET_MS ? "within" : "OVER";
console.log(`\nBudget ${ms(BUDGET_MS)} for startup: ${verdict} (${ms(linkbase.active)}).`);
if (linkbase.active > BUDGET_MS) process.exitCode = 1;
