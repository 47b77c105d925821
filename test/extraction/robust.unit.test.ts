import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractHtml } from "../../src/extraction/service";
import { deepNesting, htmlFragment } from "./html-arbitrary";

function checkDocument(doc: Awaited<ReturnType<typeof extractHtml>>) {
  expect(typeof doc.text).toBe("string");
  expect(doc.extraction.textChars).toBe(doc.text.length);
  expect(doc.extraction.ratio).toBeGreaterThanOrEqual(0);
  expect(doc.extraction.ratio).toBeLessThanOrEqual(1);
  expect(doc.text).not.toMatch(/<\/?(?:div|p|script|style)\b/i);
}

describe("extractHtml on hostile HTML", () => {
  it("never throws on random nesting, unclosed tags, huge attributes and bad entities", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(htmlFragment, { maxLength: 8 }), async (parts) => {
        checkDocument(await extractHtml(parts.join("")));
      }),
      { numRuns: 150 },
    );
  });

  it("never throws on deep nesting", async () => {
    await fc.assert(
      fc.asyncProperty(deepNesting, async (html) => {
        checkDocument(await extractHtml(html));
      }),
      { numRuns: 30 },
    );
  });

  it("never throws on bytes that mix encodings (UTF-8, Latin-1, UTF-16, invalid sequences)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            htmlFragment.map((s) => new TextEncoder().encode(s)),
            fc.uint8Array({ maxLength: 64 }),
            fc
              .string({ maxLength: 30 })
              .map((s) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff)),
            fc
              .string({ maxLength: 30 })
              .map(
                (s) =>
                  new Uint8Array(new Uint16Array(Array.from(s, (c) => c.charCodeAt(0))).buffer),
              ),
          ),
          { maxLength: 8 },
        ),
        fc.constantFrom("utf-8", "iso-8859-1", "utf-16le", "bogus"),
        async (chunks, charset) => {
          const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
          let at = 0;
          for (const c of chunks) {
            bytes.set(c, at);
            at += c.length;
          }
          const response = new Response(bytes, {
            headers: { "content-type": `text/html; charset=${charset}` },
          });
          checkDocument(await extractHtml(response));
        },
      ),
      { numRuns: 100 },
    );
  });
});
