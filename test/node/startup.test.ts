import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";

// Startup evaluates the main module and what it imports statically; everything else waits for
// a dynamic import() (README, Startup). `npm run bench:startup` times it, but its profiler is
// noisy on a shared machine; this holds the structure exactly, from the deployed build's graph.
const root = join(import.meta.dirname, "../..");
const EAGER_BUDGET_BYTES = 16 * 1024;

interface Metafile {
  inputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
  outputs: Record<
    string,
    {
      inputs: Record<string, { bytesInOutput: number }>;
      imports: { path: string; kind: string; external?: boolean }[];
    }
  >;
}

it("the Worker's main module loads only itself and Hono's path helper at startup", () => {
  const outdir = mkdtempSync(join(tmpdir(), "linkbase-startup-graph-"));
  execFileSync("wrangler", ["deploy", "--dry-run", "--outdir", outdir, "--metafile"], {
    cwd: root,
    stdio: "pipe",
  });
  const meta = JSON.parse(readFileSync(join(outdir, "bundle-meta.json"), "utf8")) as Metafile;
  const eager = new Set<string>();
  const visit = (path: string) => {
    if (eager.has(path)) return;
    eager.add(path);
    for (const { path: next, kind, external } of meta.inputs[path]?.imports ?? []) {
      if (kind !== "dynamic-import" && !external) visit(next);
    }
  };
  visit("src/main.ts");
  const output = Object.values(meta.outputs).find((entry) => entry.inputs["src/main.ts"]);
  const bytes = [...eager].reduce(
    (sum, path) => sum + (output?.inputs[path]?.bytesInOutput ?? 0),
    0,
  );

  expect([...eager].sort()).toEqual(["node_modules/hono/dist/utils/url.js", "src/main.ts"]);
  // A static import of a runtime module (node:…) is hoisted to the script's top, whichever
  // module wrote it, so it loads at startup (node:crypto: about 30 ms). None may be static.
  const staticExternals = (output?.imports ?? []).filter(
    (entry) => entry.external && entry.kind !== "dynamic-import",
  );
  expect(staticExternals.map((entry) => entry.path)).toEqual([]);
  expect(bytes).toBeGreaterThan(0);
  expect(bytes).toBeLessThanOrEqual(EAGER_BUDGET_BYTES);
  // What the dynamic imports reach is still in the one script, so the bundle budget counts it.
  expect(output?.inputs["src/ingestion/consumer.ts"]?.bytesInOutput).toBeGreaterThan(0);
  expect(output?.inputs["src/neon-http.ts"]?.bytesInOutput).toBeGreaterThan(0);
  // Neon's driver (143 KB minified) is for tests and scripts; the Worker has its own client.
  expect(
    Object.keys(output?.inputs ?? {}).filter((path) => path.includes("@neondatabase")),
  ).toEqual([]);
});
