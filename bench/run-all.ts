// `npm run bench`: every benchmark in turn, then one table of each figure, its baseline, the ratio.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SummaryRow } from "./lib/summary";

const BENCHMARKS = [
  "bench/bundle-size.ts",
  "bench/startup.ts",
  "bench/chunking.ts",
  "bench/extraction.ts",
  "bench/vector-search.ts",
  "bench/retrieval.ts",
  "bench/search-scale.ts",
  "bench/round-trips.ts",
  "bench/load.ts",
  "bench/limits.ts",
  "bench/ingestion.ts",
  "bench/crawl.ts",
];

const summaryFile = join(mkdtempSync(join(tmpdir(), "linkbase-bench-")), "summary.jsonl");
const failed: string[] = [];
for (const script of BENCHMARKS) {
  console.log(`\n=== ${script}`);
  const result = spawnSync("tsx", [script], {
    stdio: "inherit",
    env: { ...process.env, BENCH_SUMMARY: summaryFile },
  });
  if (result.status !== 0) failed.push(script);
}

const rows: SummaryRow[] = readFileSync(summaryFile, { encoding: "utf8", flag: "a+" })
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line) as SummaryRow);
console.log("\n| benchmark | figure | value | baseline | baseline value | ratio |");
console.log("|---|---|---|---|---|---|");
for (const row of rows) {
  console.log(
    `| ${row.benchmark} | ${row.figure} | ${row.value} | ${row.baseline} | ${row.baselineValue} | ${row.ratio} |`,
  );
}
if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(", ")}`);
  process.exitCode = 1;
}
