import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkDocument } from "../../src/chunks/chunker";
import { extractHtml, extractPlainText, isParserLimit } from "../../src/extraction/service";

/**
 * Extraction and chunking must stay linear in the input, whatever its shape: a backtracking
 * regex (`\s+$` over a long run of whitespace) or a recursive walk turns a hostile page into a
 * consumer killed by its CPU limit. Each shape's full-size input is timed against an input an
 * eighth of its size processed eight times over: the same amount of work if the pass is linear
 * (ratio ~1), eight times less if it is quadratic (ratio ~8). The bound, 4, leaves room for
 * noise on a shared machine and still fails on anything quadratic.
 */
const SCALE = 8;
const MAX_RATIO = 4;

type Kind = "html" | "text/plain" | "text/markdown";

/** Extracts and chunks `body` as the consumer does; a page HTMLRewriter refuses counts too. */
async function ingestText(kind: Kind, body: string): Promise<void> {
  try {
    const doc = kind === "html" ? await extractHtml(body) : extractPlainText(body, kind);
    chunkDocument(doc, { chunkSize: 1000, chunkOverlap: 200 });
  } catch (error) {
    if (!isParserLimit(error)) throw error;
  }
}

async function timed(kind: Kind, body: string, times = 1): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < times; i++) await ingestText(kind, body);
  return performance.now() - started;
}

/**
 * Time of the full input over time of SCALE passes over an eighth of it. The two are measured
 * in turn, three times, and the fastest of each kept, so a burst of other work on the machine
 * cannot land on one side only; a fast shape is repeated until it takes tens of milliseconds,
 * above the clock's granularity.
 */
async function ratio(kind: Kind, build: (n: number) => string, n: number): Promise<number> {
  const small = build(Math.round(n / SCALE));
  const large = build(n);
  await timed(kind, small);
  const reps = Math.min(20, Math.ceil(50 / Math.max(await timed(kind, large), 1)));
  let linear = Number.POSITIVE_INFINITY;
  let actual = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    linear = Math.min(linear, await timed(kind, small, SCALE * reps));
    actual = Math.min(actual, await timed(kind, large, reps));
  }
  return actual / Math.max(linear, 1);
}

const MiB = 1024 * 1024;
const WHITESPACE = [" ", "\t", "\n", "\r\n", "\u00a0", " \n "];

/** Where a megabyte of whitespace sits: each is a different code path. */
const whitespaceShapes: [string, Kind, (ws: string) => string][] = [
  ["inside a paragraph", "html", (ws) => `<p>start${ws}end</p>`],
  ["inside pre", "html", (ws) => `<pre><code>start${ws}end</code></pre>`],
  ["between elements", "html", (ws) => `<p>a</p>${ws}<p>b</p>`],
  ["in plain text", "text/plain", (ws) => `start${ws}end`],
  ["in a Markdown heading", "text/markdown", (ws) => `# start${ws}end #`],
  ["in a Markdown fence", "text/markdown", (ws) => `\`\`\`\nstart${ws}end\n\`\`\``],
];

describe("extraction and chunking run in linear time", () => {
  it.each(whitespaceShapes)(
    "1 MiB of whitespace %s",
    async (_, kind, wrap) => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...WHITESPACE), async (unit) => {
          const build = (n: number) => wrap(unit.repeat(Math.ceil(n / unit.length)));
          expect(await ratio(kind, build, MiB)).toBeLessThan(MAX_RATIO);
        }),
        { numRuns: 2 },
      );
    },
    120_000,
  );

  it("100,000 nested elements", async () => {
    const build = (n: number) => `${"<div>".repeat(n)}deep text${"</div>".repeat(n)}`;
    expect(await ratio("html", build, 100_000)).toBeLessThan(MAX_RATIO);
  }, 120_000);

  it("1,000,000 tiny elements", async () => {
    const build = (n: number) => "<b>x</b> ".repeat(n);
    expect(await ratio("html", build, 1_000_000)).toBeLessThan(MAX_RATIO);
  }, 120_000);

  it("100,000 unclosed list items holding headings (a list laid out as blocks)", async () => {
    const build = (n: number) =>
      `<ul>${"<li><h3><a href=/s>Story</a></h3><p>Summary, with a comma.</p>".repeat(n)}</ul>`;
    expect(await ratio("html", build, 100_000)).toBeLessThan(MAX_RATIO);
  }, 120_000);

  it("100,000 sibling sections opened by headings", async () => {
    const build = (n: number) =>
      `<main>${"<section><h2>Part</h2><div><p>Term, defined here.</p><ul><li>x</li></ul></div></section>".repeat(n)}</main>`;
    expect(await ratio("html", build, 100_000)).toBeLessThan(MAX_RATIO);
  }, 120_000);

  it("100,000 unclosed tags", async () => {
    const build = (n: number) => `<p>${"<a x ".repeat(n)}</p>`;
    expect(await ratio("html", build, 100_000)).toBeLessThan(MAX_RATIO);
  }, 120_000);
});
