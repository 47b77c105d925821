import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkDocument, embeddingInput, estimateTokens, splitText } from "../../src/chunks/chunker";
import type { Block } from "../../src/extraction/service";

const p = (text: string): Block => ({ kind: "paragraph", text });
const h = (level: number, text: string): Block => ({ kind: "heading", level, text });
const sentence = (i: number) => `Sentence number ${i} talks about topic ${i % 7}.`;

describe("chunkDocument", () => {
  it("keeps the heading path of each section and numbers chunks in order", () => {
    const blocks = [
      h(1, "Guide"),
      p("Intro."),
      h(2, "Setup"),
      p("Install it."),
      h(3, "Linux"),
      p("Use apt."),
      h(2, "Usage"),
      p("Run it."),
    ];
    const chunks = chunkDocument({ title: "Guide", blocks }, { chunkSize: 100, chunkOverlap: 0 });
    expect(chunks.map((c) => [c.position, c.text, c.headingPath])).toEqual([
      [0, "Intro.", ["Guide"]],
      [1, "Install it.", ["Guide", "Setup"]],
      [2, "Use apt.", ["Guide", "Setup", "Linux"]],
      [3, "Run it.", ["Guide", "Usage"]],
    ]);
  });

  it("never lets a chunk cross a heading even when both sections are small", () => {
    const blocks = [h(2, "A"), p("alpha"), h(2, "B"), p("beta")];
    const chunks = chunkDocument({ title: null, blocks }, { chunkSize: 1000, chunkOverlap: 0 });
    expect(chunks.map((c) => c.text)).toEqual(["alpha", "beta"]);
  });

  it("packs paragraphs up to chunkSize and splits at paragraph breaks first", () => {
    const paras = ["a".repeat(40), "b".repeat(40), "c".repeat(40)];
    const chunks = chunkDocument(
      { title: null, blocks: paras.map(p) },
      { chunkSize: 90, chunkOverlap: 0 },
    );
    expect(chunks.map((c) => c.text)).toEqual([`${paras[0]}\n\n${paras[1]}`, paras[2]]);
  });

  it("splits a long paragraph at sentence ends, then at spaces", () => {
    const para = Array.from({ length: 30 }, (_, i) => sentence(i)).join(" ");
    const chunks = chunkDocument(
      { title: null, blocks: [p(para)] },
      { chunkSize: 200, chunkOverlap: 0 },
    );
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) {
      expect(c.text.length).toBeLessThanOrEqual(200);
      expect(c.text.endsWith(".")).toBe(true);
    }
    const words = "word ".repeat(100).trim();
    for (const c of chunkDocument(
      { title: null, blocks: [p(words)] },
      { chunkSize: 50, chunkOverlap: 0 },
    )) {
      expect(c.text).toMatch(/^word( word)*$/);
    }
  });

  it("overlaps consecutive chunks by at most chunkOverlap characters of whole sentences", () => {
    const para = Array.from({ length: 40 }, (_, i) => sentence(i)).join(" ");
    const chunks = chunkDocument(
      { title: null, blocks: [p(para)] },
      { chunkSize: 300, chunkOverlap: 100 },
    );
    for (let i = 1; i < chunks.length; i++) {
      const first = chunks[i]?.text.split(". ")[0] ?? "";
      expect(chunks[i - 1]?.text).toContain(first);
    }
  });

  it("uses the document's text when given and ignores it when it does not match", () => {
    const blocks = [p("one"), p("two")];
    const opts = { chunkSize: 100, chunkOverlap: 0 };
    expect(chunkDocument({ title: null, blocks, text: "one\n\ntwo" }, opts)[0]?.text).toBe(
      "one\n\ntwo",
    );
    expect(chunkDocument({ title: null, blocks, text: "stale" }, opts)[0]?.text).toBe("one\n\ntwo");
  });

  it("rejects an overlap not smaller than the chunk size", () => {
    expect(() =>
      chunkDocument({ title: null, blocks: [] }, { chunkSize: 10, chunkOverlap: 10 }),
    ).toThrow(RangeError);
    expect(() => splitText("x", { chunkSize: 0, chunkOverlap: 0 })).toThrow(RangeError);
  });
});

describe("embeddingInput", () => {
  const chunk = { position: 0, text: "Run it.", headingPath: ["Guide", "Setup"], tokenCount: 2 };
  it("prefixes the title and heading path, without repeating a first heading equal to the title", () => {
    expect(embeddingInput("Guide", chunk)).toBe("Guide > Setup\n\nRun it.");
    expect(embeddingInput("Site", chunk)).toBe("Site > Guide > Setup\n\nRun it.");
    expect(embeddingInput(null, { ...chunk, headingPath: [] })).toBe("Run it.");
  });
});

describe("estimateTokens", () => {
  it("counts about four Latin characters and one CJK character per token", () => {
    expect(estimateTokens("Hello world, again.")).toBe(5);
    expect(estimateTokens("a".repeat(4000))).toBe(1000);
    expect(estimateTokens("漢".repeat(1000))).toBe(1000);
    expect(estimateTokens("Привет".repeat(100))).toBe(300);
  });
});

describe("splitText properties", () => {
  const text = fc.string({
    unit: fc.constantFrom("a", "b", " ", ".", "\n", "é", "漢", "😀"),
    maxLength: 600,
  });
  const opts = fc
    .tuple(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 119 }))
    .filter(([size, overlap]) => overlap < size)
    .map(([chunkSize, chunkOverlap]) => ({ chunkSize, chunkOverlap }));

  it("covers every input character, within chunkSize, in order, overlapping at most chunkOverlap", () => {
    fc.assert(
      fc.property(text, opts, (t, o) => {
        const spans = splitText(t, o);
        let covered = 0;
        for (let i = 0; i < spans.length; i += 2) {
          const start = spans[i] ?? 0;
          const end = spans[i + 1] ?? 0;
          expect(start).toBeLessThanOrEqual(covered); // no gap
          expect(end).toBeGreaterThan(covered); // progress
          expect(end - start).toBeLessThanOrEqual(o.chunkSize);
          expect(covered - start).toBeLessThanOrEqual(o.chunkOverlap);
          covered = end;
        }
        expect(covered).toBe(t.length);
      }),
    );
  });

  it("puts every non-space character of every paragraph into some chunk", () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 6 }), opts, (paras, o) => {
        const blocks = paras.map((t, i) => (i % 3 === 2 ? h(2, `H${i}`) : p(t)));
        const chunks = chunkDocument({ title: null, blocks }, o);
        const chunked = chunks.map((c) => c.text.replace(/\s/g, "")).join("");
        const body = blocks
          .filter((b) => b.kind !== "heading")
          .map((b) => b.text.replace(/\s/g, ""))
          .join("");
        // Overlap repeats text, so compare character counts and containment piecewise.
        expect(chunked.length).toBeGreaterThanOrEqual(body.length);
        for (const b of blocks) {
          if (b.kind === "heading") continue;
          for (const ch of b.text.replace(/\s/g, "")) expect(chunked).toContain(ch);
        }
        for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(o.chunkSize);
      }),
    );
  });
});
