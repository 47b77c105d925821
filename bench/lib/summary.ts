import { appendFileSync } from "node:fs";

/** One line of `npm run bench`'s closing table: a figure, its baseline, their ratio. */
export interface SummaryRow {
  benchmark: string;
  figure: string;
  value: string;
  baseline: string;
  baselineValue: string;
  ratio: string;
}

/**
 * Hands rows to `bench/run-all.ts` (through the file in `BENCH_SUMMARY`); a no-op when a
 * benchmark runs on its own.
 */
export function recordSummary(rows: SummaryRow[]): void {
  const file = process.env.BENCH_SUMMARY;
  if (!file) return;
  appendFileSync(file, rows.map((row) => `${JSON.stringify(row)}\n`).join(""));
}
