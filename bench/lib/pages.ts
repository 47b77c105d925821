/** Locating and loading the bench-data pages shared by the extraction and chunking benchmarks. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface Page {
  name: string;
  source: string;
  expected: string;
  bytes: number;
}

const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const DEFAULT_PAGES = resolve(REPO_ROOT, "../shared/bench-data/extraction");

/**
 * The pages folder from argv[2] (default `../shared/bench-data/extraction` beside the repo), or
 * null after printing why when it is missing: the pages are not part of the repo.
 *
 * @example
 * const dir = pagesDirFromArgs(process.argv); if (dir === null) process.exit(0);
 */
export function pagesDirFromArgs(argv: string[]): string | null {
  const dir = resolve(argv[2] ?? DEFAULT_PAGES);
  if (!existsSync(dir)) {
    console.log(`Pages folder not found: ${dir}`);
    console.log("Pass the folder of bench pages (each with source.html and expected.html) as the");
    console.log(
      "first argument; the pages live in ../shared/bench-data/extraction, not in the repo.",
    );
    return null;
  }
  return dir;
}

/** Every subfolder of `dir` that holds both `source.html` and `expected.html`, by name. */
export function loadPages(dir: string): Page[] {
  const pages: Page[] = [];
  for (const name of readdirSync(dir).sort()) {
    const sourcePath = join(dir, name, "source.html");
    const expectedPath = join(dir, name, "expected.html");
    if (!existsSync(sourcePath) || !existsSync(expectedPath)) continue;
    const source = readFileSync(sourcePath, "utf8");
    pages.push({
      name,
      source,
      expected: readFileSync(expectedPath, "utf8"),
      bytes: Buffer.byteLength(source),
    });
  }
  return pages;
}

/** MiB per second for `bytes` processed in `ms` milliseconds. */
export function mibPerSecond(bytes: number, ms: number): number {
  return bytes / 1024 / 1024 / (ms / 1000);
}
