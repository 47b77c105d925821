/** Turns the bench pages into a text corpus with headings for the chunking benchmark. */
import { parseHTML } from "linkedom";
import type { Page } from "./pages";

export interface CorpusBlock {
  kind: "heading" | "paragraph" | "list" | "table" | "code";
  level?: number;
  text: string;
}

const BLOCKS = "h1, h2, h3, h4, h5, h6, p, li, pre, td, blockquote";

/**
 * Headings and paragraphs of every page's `expected.html`, repeated until the text reaches
 * `minChars`, so both splitters work on the same realistic prose.
 *
 * @example
 * const blocks = corpusBlocks(loadPages(dir), 8 << 20);
 */
export function corpusBlocks(pages: Page[], minChars: number): CorpusBlock[] {
  const once: CorpusBlock[] = [];
  for (const page of pages) {
    const { document } = parseHTML(`<html><body>${page.expected}</body></html>`);
    for (const el of document.querySelectorAll(BLOCKS)) {
      const text = (el.textContent ?? "").replace(/\s+/g, " ").trim();
      if (text === "") continue;
      const level = /^H[1-6]$/.test(el.tagName) ? Number(el.tagName[1]) : 0;
      once.push(level > 0 ? { kind: "heading", level, text } : { kind: "paragraph", text });
    }
  }
  const blocks: CorpusBlock[] = [];
  let chars = 0;
  while (chars < minChars && once.length > 0) {
    for (const b of once) {
      blocks.push(b);
      chars += b.text.length + 2;
    }
  }
  return blocks;
}
