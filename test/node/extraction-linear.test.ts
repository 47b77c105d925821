/**
 * The JavaScript passes of extraction (block scan, selection, whole-page fallback) stay linear
 * in input size on the shapes that break naive tree code: deep nesting, stray closing tags,
 * unclosed quotes and tags, nested lists, repeated cards. Runs in Node (the HTMLRewriter pass
 * before them is lol-html's streaming parser, linear by construction), timing 1× and 16× the
 * input against a linear baseline: a linear pass keeps its ratio to the baseline, a quadratic
 * one grows it 16×; the bound is 6× (4× flaked at 4.2 with the workers tests running beside it). (Random pages from the generator are checked for
 * exceptions in workerd; timed here, their few-millisecond runs were noise-bound on a shared
 * machine.)
 */
import { describe, expect, it } from "vitest";
import { scanBlocks } from "../../src/extraction/blocks";
import { selectContent, wholePage } from "../../src/extraction/select";

const SCALE = 16;
/** A linear pass grows like the baseline (1×); a quadratic one SCALE× faster than it. */
const MAX_RELATIVE_GROWTH = 6;
const RUNS = 5;

function timeMs(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

function extract(html: string): void {
  const scan = scanBlocks(html);
  selectContent(scan, { dropListings: true });
  selectContent(scan, { dropListings: false });
  wholePage(scan);
}

/**
 * Linear by construction, and allocating as the passes do: an object kept per token, so the
 * garbage collector's share of the time grows alike on both sides.
 */
function baseline(html: string): number {
  const tokens = html.match(/<[^<>]*>?|[^<]+/g) ?? [];
  const kept = tokens.map((text, i) => ({ text: text.trim().toLowerCase(), node: i }));
  return kept.length;
}

/**
 * How much faster than the baseline extraction time grows from n to SCALE·n repetitions of
 * `unit`. Both are timed on the same inputs, interleaved, fastest of several runs: machine load
 * and the memory hierarchy (larger inputs spill out of the CPU caches) slow both alike, so the
 * ratio isolates the algorithm.
 */
function relativeGrowth(unit: string): number {
  const n = Math.max(1, Math.ceil(50_000 / Math.max(1, unit.length)));
  const small = unit.repeat(n);
  const large = unit.repeat(n * SCALE);
  const best = {
    extractSmall: Infinity,
    extractLarge: Infinity,
    baseSmall: Infinity,
    baseLarge: Infinity,
  };
  for (let run = 0; run < RUNS; run++) {
    best.extractSmall = Math.min(
      best.extractSmall,
      timeMs(() => extract(small)),
    );
    best.baseSmall = Math.min(
      best.baseSmall,
      timeMs(() => baseline(small)),
    );
    best.extractLarge = Math.min(
      best.extractLarge,
      timeMs(() => extract(large)),
    );
    best.baseLarge = Math.min(
      best.baseLarge,
      timeMs(() => baseline(large)),
    );
  }
  return best.extractLarge / best.baseLarge / (best.extractSmall / best.baseSmall);
}

describe("extraction passes stay linear", () => {
  it.each([
    ["deep nesting", "<div><section><p>Words, and more words, here.</p>"],
    ["stray closers", "</div></section></table></ul><div>text</li>"],
    ["nested lists", "<ul><li>item <ol><li>deeper"],
    ["unclosed quotes", '<a title="x>text <b>more</b> '],
    ["cut-off tags", "<div class=x <p a=b "],
    ["teaser cards", '<article><h3><a href="/x">Headline</a></h3><p>Summary, short.</p></article>'],
  ])("on %s", (_name, unit) => {
    expect(relativeGrowth(unit)).toBeLessThan(MAX_RELATIVE_GROWTH);
  });
});
