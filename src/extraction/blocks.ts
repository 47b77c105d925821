/**
 * The linear half of extraction: one regex-driven pass over HTML that HTMLRewriter has already
 * cleaned, turning tags into block boundaries and text into whitespace-collapsed, entity-decoded
 * blocks. Pure: runs anywhere.
 */
import { decodeEntities } from "./entities";

/** Sentinel tag that the rewriter wraps around `<main>`, `<article>` and `[role=main]` regions. */
export const REGION_TAG = "x-lb-region";

export interface Block {
  kind: "heading" | "paragraph" | "list" | "table" | "code";
  /** Heading level, 1 for `<h1>` … 6 for `<h6>`; only on headings. */
  level?: number;
  text: string;
}

/** A block plus what main-content selection needs to know about it. */
export interface ScannedBlock extends Block {
  /** Characters of link text in the block, for link density. */
  linkChars: number;
  /** Index of the outermost main/article region holding the block, or -1. */
  region: number;
}

enum Tag {
  Inline = 0,
  Break = 1,
  Heading = 2,
  List = 3,
  Item = 4,
  Table = 5,
  Row = 6,
  Cell = 7,
  Pre = 8,
  Anchor = 9,
  Region = 10,
  Br = 11,
}

const TAGS = new Map<string, Tag>([
  ["a", Tag.Anchor],
  ["br", Tag.Br],
  ["ul", Tag.List],
  ["ol", Tag.List],
  ["dl", Tag.List],
  ["li", Tag.Item],
  ["dt", Tag.Item],
  ["dd", Tag.Item],
  ["table", Tag.Table],
  ["tr", Tag.Row],
  ["td", Tag.Cell],
  ["th", Tag.Cell],
  ["pre", Tag.Pre],
  ["listing", Tag.Pre],
  ["xmp", Tag.Pre],
  [REGION_TAG, Tag.Region],
]);
for (let l = 1; l <= 6; l++) TAGS.set(`h${l}`, Tag.Heading);
for (const name of [
  "p",
  "div",
  "section",
  "article",
  "main",
  "header",
  "footer",
  "blockquote",
  "figure",
  "figcaption",
  "hr",
  "address",
  "details",
  "summary",
  "center",
  "body",
  "html",
]) {
  TAGS.set(name, Tag.Break);
}

// Comments, doctype/CDATA, or a tag; quoted attribute values may hold ">" (JSON in data-*
// attributes does), so quotes are honoured, in the unrolled form that backtracks least.
const TOKEN =
  /<!--[\s\S]*?(?:-->|$)|<![^>]*>?|<(\/?)([a-zA-Z][\w:-]*)[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>/g;
// Only whitespace that needs changing: runs of two or more, or one that is not a plain space.
// Matching every single space (as `\s+` would) rebuilds the whole string for nothing.
const SPACES = /\s{2,}|[^\S ]/g;

function clean(raw: string): string {
  const trimmed = decodeEntities(raw).trim();
  return trimmed === "" ? trimmed : trimmed.replace(SPACES, " ");
}

function cleanCode(raw: string): string {
  const decoded = decodeEntities(raw);
  // A loop and trimEnd, not /^\n+|\s+$/: that regex retries `\s+` from every position of a
  // long whitespace run that is not at the end, which is quadratic.
  let start = 0;
  while (decoded.charCodeAt(start) === 10) start++;
  return decoded.slice(start).trimEnd();
}

/**
 * Scans cleaned HTML into blocks in document order.
 *
 * @example
 * scanBlocks("<h1>Hi</h1><p>a &amp; b</p>");
 * // [{ kind: "heading", level: 1, text: "Hi", … }, { kind: "paragraph", text: "a & b", … }]
 */
export function scanBlocks(html: string): ScannedBlock[] {
  const blocks: ScannedBlock[] = [];
  let parts: string[] = [];
  let linkChars = 0;
  let anchorDepth = 0;
  let heading = 0;
  let preDepth = 0;
  let listDepth = 0;
  let items: string[] = [];
  let listLinkChars = 0;
  let tableDepth = 0;
  let rows: string[][] = [];
  let row: string[] = [];
  let tableLinkChars = 0;
  let layoutTable = false;
  let regionDepth = 0;
  let regionCount = 0;
  let region = -1;

  const push = (kind: Block["kind"], text: string, links: number, level?: number) => {
    if (text === "") return;
    const block: ScannedBlock = { kind, text, linkChars: links, region };
    if (level !== undefined) block.level = level;
    blocks.push(block);
  };
  /** Ends the text run in progress: into a list item, a table cell, or a block of its own. */
  const flush = () => {
    if (parts.length === 0) return;
    const raw = parts.length === 1 ? (parts[0] as string) : parts.join("");
    parts = [];
    if (preDepth > 0) {
      push("code", cleanCode(raw), 0);
      linkChars = 0;
      return;
    }
    const text = clean(raw);
    if (text === "") return;
    if (tableDepth > 0) {
      row.push(text);
      tableLinkChars += linkChars;
    } else if (listDepth > 0) {
      items.push(text);
      listLinkChars += linkChars;
    } else if (heading > 0) push("heading", text, linkChars, heading);
    else push("paragraph", text, linkChars);
    linkChars = 0;
  };
  const endRow = () => {
    flush();
    if (row.length > 0) rows.push(row);
    row = [];
  };

  TOKEN.lastIndex = 0;
  let at = 0;
  for (let m = TOKEN.exec(html); m !== null; m = TOKEN.exec(html)) {
    if (m.index > at) {
      const text = html.slice(at, m.index);
      parts.push(text);
      if (anchorDepth > 0) linkChars += text.length;
    }
    at = TOKEN.lastIndex;
    const rawName = m[2];
    if (rawName === undefined) continue; // comment or doctype
    const closing = m[1] === "/";
    const name = rawName.toLowerCase();
    const tag = TAGS.get(name) ?? Tag.Inline;
    switch (tag) {
      case Tag.Inline:
        break;
      case Tag.Anchor:
        anchorDepth = closing ? Math.max(0, anchorDepth - 1) : anchorDepth + 1;
        break;
      case Tag.Br:
        if (preDepth > 0) parts.push("\n");
        else if (tableDepth > 0 || listDepth > 0) parts.push(" ");
        else flush();
        break;
      case Tag.Break:
        if (preDepth > 0) break;
        if (tableDepth > 0) {
          // Paragraphs or sections inside a table mean the table lays out a page, not data.
          layoutTable = true;
          parts.push(" ");
        } else if (listDepth > 0) parts.push(" ");
        else flush();
        break;
      case Tag.Heading:
        flush();
        if (tableDepth > 0) layoutTable = true;
        heading = closing ? 0 : name.charCodeAt(1) - 48;
        break;
      case Tag.Pre:
        flush();
        preDepth = closing ? Math.max(0, preDepth - 1) : preDepth + 1;
        break;
      case Tag.List:
        if (tableDepth > 0) {
          layoutTable = true;
          break;
        }
        flush();
        listDepth = closing ? Math.max(0, listDepth - 1) : listDepth + 1;
        if (listDepth === 0) {
          push("list", items.map((i) => `- ${i}`).join("\n"), listLinkChars);
          items = [];
          listLinkChars = 0;
        }
        break;
      case Tag.Item:
        if (tableDepth === 0) flush();
        else parts.push(" ");
        break;
      case Tag.Table:
        if (closing) {
          if (tableDepth === 0) break;
          endRow();
          tableDepth--;
          if (tableDepth > 0) break;
          if (layoutTable) {
            for (const r of rows) for (const cell of r) push("paragraph", cell, 0);
          } else {
            push("table", rows.map((r) => r.join(" | ")).join("\n"), tableLinkChars);
          }
          rows = [];
          tableLinkChars = 0;
          layoutTable = false;
        } else {
          if (tableDepth > 0) layoutTable = true;
          else flush();
          tableDepth++;
        }
        break;
      case Tag.Row:
        if (tableDepth > 0) endRow();
        break;
      case Tag.Cell:
        if (tableDepth > 0) flush();
        break;
      case Tag.Region:
        if (closing) {
          regionDepth = Math.max(0, regionDepth - 1);
          if (regionDepth === 0) {
            flush();
            region = -1;
          }
        } else if (regionDepth++ === 0) {
          flush();
          region = regionCount++;
        }
        break;
    }
  }
  if (at < html.length) parts.push(html.slice(at));
  flush();
  return blocks;
}
