// Worker bundle size (gzip) from `wrangler deploy --dry-run --minify`, against a bare Hono
// hello-world built the same way. Run: npm run bench:bundle
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { recordSummary } from "./lib/summary";

const root = join(import.meta.dirname, "..");
const BUDGET_BYTES = 150 * 1024;

interface Build {
  gzip: number;
  raw: number;
  inputs: Record<string, { bytesInOutput: number }>;
}

function build(configPath: string): Build {
  const outdir = mkdtempSync(join(tmpdir(), "linkbase-bundle-"));
  execFileSync(
    "wrangler",
    ["deploy", "--dry-run", "--minify", "--config", configPath, "--outdir", outdir, "--metafile"],
    { cwd: root, stdio: "pipe" },
  );
  const script = readdirSync(outdir).find((file) => file.endsWith(".js"));
  if (!script) throw new Error(`no bundle in ${outdir}`);
  const code = readFileSync(join(outdir, script));
  const meta = JSON.parse(readFileSync(join(outdir, "bundle-meta.json"), "utf8")) as {
    outputs: Record<string, { inputs: Build["inputs"] }>;
  };
  const output = Object.entries(meta.outputs).find(([path]) => path.endsWith(".js"));
  const inputs = output?.[1].inputs ?? {};
  return { gzip: gzipSync(code, { level: 9 }).length, raw: code.length, inputs };
}

/** Groups bundle bytes by package (or `src/<domain>`), largest first. */
function contributors(inputs: Build["inputs"]): [string, number][] {
  const totals = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    const key = pkg ?? /^(src\/[^/]+)/.exec(path)?.[1] ?? path;
    totals.set(key, (totals.get(key) ?? 0) + bytesInOutput);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

const helloConfig = join(mkdtempSync(join(tmpdir(), "linkbase-hello-")), "wrangler.toml");
writeFileSync(
  helloConfig,
  `name = "hello"\nmain = "${join(root, "bench/fixtures/hello.ts")}"\ncompatibility_date = "2026-11-01"\n`,
);

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const linkbase = build(join(root, "wrangler.toml"));
const hello = build(helloConfig);

console.log("| worker | minified | gzip | ratio (gzip) |");
console.log("|---|---|---|---|");
console.log(`| hono hello-world (baseline) | ${kb(hello.raw)} | ${kb(hello.gzip)} | 1.0x |`);
console.log(
  `| linkbase | ${kb(linkbase.raw)} | ${kb(linkbase.gzip)} | ${(linkbase.gzip / hello.gzip).toFixed(1)}x |`,
);
console.log("\nLargest contributors (minified bytes in the bundle):");
for (const [name, bytes] of contributors(linkbase.inputs).slice(0, 10)) {
  console.log(`  ${name.padEnd(36)} ${kb(bytes)}`);
}
recordSummary([
  {
    benchmark: "bundle",
    figure: "Worker gzip",
    value: kb(linkbase.gzip),
    baseline: "Hono hello-world",
    baselineValue: kb(hello.gzip),
    ratio: `${(linkbase.gzip / hello.gzip).toFixed(1)}x (budget ${kb(BUDGET_BYTES)})`,
  },
]);
const verdict = linkbase.gzip <= BUDGET_BYTES ? "within" : "OVER";
console.log(`\nBudget ${kb(BUDGET_BYTES)} gzip: ${verdict} (${kb(linkbase.gzip)}).`);
if (linkbase.gzip > BUDGET_BYTES) process.exitCode = 1;
