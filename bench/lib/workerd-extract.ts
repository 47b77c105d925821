/**
 * Runs our extractor inside workerd (HTMLRewriter exists only there): bundles a tiny worker
 * around `src/extraction/service.ts` with esbuild and serves it with Miniflare, on no network port.
 */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { childPids, cpuMs } from "./cpu";

export interface ExtractRun {
  /** CPU milliseconds workerd spent on the request (wall time where /proc is missing). */
  ms: number;
  text: string;
  title: string | null;
  extraction: { method: string; textChars: number; ratio: number } | null;
}

// Kept as a string so the Node type-check never sees HTMLRewriter; esbuild resolves the import.
const WORKER = `
import { extractHtml } from "./src/extraction/service.ts";
export default {
  async fetch(request) {
    const iterations = Number(request.headers.get("x-iterations") ?? "1");
    const html = await request.text();
    let doc = null;
    for (let i = 0; i < iterations; i++) doc = await extractHtml(html);
    return Response.json(doc === null ? { text: "", title: null, extraction: null } : { text: doc.text, title: doc.title, extraction: doc.extraction });
  },
};`;

/**
 * Starts the bench worker; `run(html, n)` extracts `html` n times in one request.
 *
 * @example
 * const w = await startExtractWorker(); const { ms } = await w.run(page, 10); await w.stop();
 */
export async function startExtractWorker() {
  const worker = await startBenchWorker(WORKER);
  return {
    async run(html: string, iterations: number): Promise<ExtractRun> {
      const start = worker.clock();
      const response = await worker.mf.dispatchFetch("http://bench.local/", {
        method: "POST",
        body: html,
        headers: { "x-iterations": String(iterations) },
      });
      const body = (await response.json()) as Omit<ExtractRun, "ms">;
      return { ms: worker.clock() - start, ...body };
    },
    stop: () => worker.mf.dispose(),
  };
}

/**
 * Bundles `source` (an ES module Worker that may import from the repo root, e.g.
 * `./src/chunks/chunker.ts`) with esbuild and serves it with Miniflare, on no network port.
 * `clock()` reads workerd's CPU milliseconds (wall time where /proc is missing).
 *
 * @example
 * const w = await startBenchWorker(`export default { fetch: () => new Response("hi") }`);
 */
export async function startBenchWorker(source: string) {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const bundle = await build({
    stdin: { contents: source, resolveDir: root, loader: "js", sourcefile: "bench-worker.js" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    write: false,
    minify: false,
  });
  const script = bundle.outputFiles[0]?.text ?? "";
  // Miniflare 5 takes a new options shape; the v4 one is converted by its own helper.
  const mf = new Miniflare(
    convertV4MiniflareOptions({ modules: true, script, compatibilityDate: "2026-11-01" }),
  );
  await mf.ready;
  const pids = childPids("workerd");
  const clock = pids.length > 0 ? () => cpuMs(pids) : () => performance.now();
  return { mf, clock };
}
