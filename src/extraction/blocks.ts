/**
 * The linear half of extraction: one regex-driven pass over HTML that HTMLRewriter has already
 * cleaned, turning tags into block boundaries and text into whitespace-collapsed, entity-decoded
 * blocks, and recording the tree of container elements (div, section, article…) each block sits
 * in, which main-content selection (`select.ts`) scores. Pure: runs anywhere.
 */
import { decodeEntities } from "./entities";

export interface Block {
  kind: "heading" | "paragraph" | "list" | "table" | "code";
  /** Heading level, 1 for `<h1>` … 6 for `<h6>`; only on headings. */
  level?: number;
  /**
   * Markdown-like text: lists as `- item` lines (nested ones indented), tables as `| a | b |`
   * rows, code fenced with backticks, images as `![alt]`. Headings hold their plain text; the
   * chunker turns them into each chunk's heading path.
   */
  text: string;
}

/** A block plus what main-content selection needs to know about it. */
export interface ScannedBlock extends Block {
  /** Characters of link text in the block, for link density. */
  linkChars: number;
  /** Index into {@link Scan.nodes} of the innermost container holding the block. */
  node: number;
  /** 1 for a heading that is a link (a teaser's headline), else 0. */
  linkedHeadings: number;
}

/** A container element: block-level elements that group other blocks. */
export interface ContainerNode {
  /** Index of the enclosing container, -1 for the root. Always lower than the node's own. */
  parent: number;
  tag: string;
}

export interface Scan {
  blocks: ScannedBlock[];
  /** Containers in document order (pre-order), so every parent precedes its children. */
  nodes: ContainerNode[];
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
  Br = 11,
  Image = 12,
}

const TAGS = new Map<string, Tag>([
  ["a", Tag.Anchor],
  ["br", Tag.Br],
  ["img", Tag.Image],
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
]);
for (let l = 1; l <= 6; l++) TAGS.set(`h${l}`, Tag.Heading);
for (const name of ["p", "hr", "figcaption", "address", "summary"]) TAGS.set(name, Tag.Break);

/** Block elements that also become nodes of the container tree. */
const CONTAINERS = new Set([
  "div",
  "section",
  "article",
  "main",
  "header",
  "footer",
  "blockquote",
  "figure",
  "details",
  "center",
  "body",
  "html",
  "ul",
  "ol",
  "dl",
  "table",
  "td",
  "th",
]);
for (const name of CONTAINERS) if (!TAGS.has(name)) TAGS.set(name, Tag.Break);

/** Indentation of nested list items; deeper levels share the last, so output stays linear. */
const INDENTS = ["", "  ", "    ", "      ", "        "];

/** How far up the open containers a closing tag looks for its opener; bounds stray closers. */
const MAX_CLOSE_SEARCH = 64;

// Comments, doctype/CDATA, or a tag; quoted attribute values may hold ">" (JSON in data-*
// attributes does), so quotes are honoured, in the unrolled form that backtracks least. A quote
// that never closes counts as a plain character and a tag cut off by the end of input ends
// there: otherwise every later "<" would rescan to the end, quadratic in the page size.
const TOKEN =
  /<!--[\s\S]*?(?:-->|$)|<![^>]*>?|<(\/?)([a-zA-Z][\w:-]*)[^>"']*(?:(?:"[^"]*"|'[^']*'|["'])[^>"']*)*(?:>|$)/g;
// Only whitespace that needs changing: runs of two or more, or one that is not a plain space.
// Matching every single space (as `\s+` would) rebuilds the whole string for nothing.
const SPACES = /\s{2,}|[^\S ]/g;
const ALT = /\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;

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

/** List items: containers of the tree, so the cards of a laid-out list are weighed one by one. */
const ITEMS = new Set(["li", "dt", "dd"]);

/** Text of a list item, kept until the list's end shows whether it is a list or a layout. */
interface Piece {
  text: string;
  linkChars: number;
  node: number;
  /** List nesting of the item, for its indentation. */
  depth: number;
  /** Continues the previous piece's item (after a <p> or <div> inside it). */
  join: boolean;
}

interface Cell {
  text: string;
  node: number;
  header: boolean;
}

/**
 * Scans cleaned HTML into blocks in document order, and the containers they sit in.
 *
 * @example
 * scanBlocks("<h1>Hi</h1><p>a &amp; b</p>").blocks;
 * // [{ kind: "heading", level: 1, text: "Hi", … }, { kind: "paragraph", text: "a & b", … }]
 */
export function scanBlocks(html: string): Scan {
  const blocks: ScannedBlock[] = [];
  const nodes: ContainerNode[] = [{ parent: -1, tag: "#root" }];
  /** Open containers: node indices, innermost last. */
  const open: number[] = [0];
  let parts: string[] = [];
  let linkChars = 0;
  let anchorDepth = 0;
  // A link wrapping paragraphs or headings is a clickable card, not a link inside the text.
  let blockAnchor = false;
  let heading = 0;
  let headingNode = 0;
  let preDepth = 0;
  let listDepth = 0;
  let listNode = 0;
  let pieces: Piece[] = [];
  let itemDepth = 0;
  // A list whose items hold headings or articles lays out cards or sections, not items: its
  // text becomes blocks in the item containers, so selection can weigh each item on its own.
  let layoutList = false;
  // The next text in a list starts a new item line (false after a <p> or <div> inside an item).
  let newLine = true;
  let tableDepth = 0;
  let tableNode = 0;
  let rows: Cell[][] = [];
  let row: Cell[] = [];
  let cellHeader = false;
  let tableLinkChars = 0;
  let layoutTable = false;

  const current = () => open[open.length - 1] ?? 0;
  /** A headline that is mostly a link (or sits inside one) names another page: a teaser's. */
  const isLinked = (text: string) => anchorDepth > 0 || linkChars > text.length / 2;
  const push = (kind: Block["kind"], text: string, links: number, node: number, level?: number) => {
    if (text === "") return;
    const block: ScannedBlock = { kind, text, linkChars: links, node, linkedHeadings: 0 };
    if (level !== undefined) block.level = level;
    blocks.push(block);
  };
  /** Ends the text run in progress: into a list item, a table cell, or a block of its own. */
  const flush = () => {
    if (parts.length === 0) return;
    const raw = parts.length === 1 ? (parts[0] as string) : parts.join("");
    parts = [];
    if (preDepth > 0) {
      const code = cleanCode(raw);
      if (code !== "") push("code", `\`\`\`\n${code}\n\`\`\``, 0, current());
      linkChars = 0;
      return;
    }
    const text = clean(raw);
    if (text === "") return;
    if (tableDepth > 0) {
      row.push({ text, node: current(), header: cellHeader });
      tableLinkChars += linkChars;
    } else if (listDepth > 0 && !layoutList) {
      pieces.push({ text, linkChars, node: current(), depth: itemDepth, join: !newLine });
      newLine = false;
    } else if (heading > 0) {
      push("heading", text, linkChars, headingNode, heading);
      const block = blocks[blocks.length - 1];
      if (block && isLinked(text)) block.linkedHeadings = 1;
    } else push("paragraph", text, linkChars, current());
    linkChars = 0;
  };
  /** The list turns out to lay out blocks: what it buffered becomes paragraphs. */
  const startLayout = () => {
    flush();
    layoutList = true;
    for (const piece of pieces) push("paragraph", piece.text, piece.linkChars, piece.node);
    pieces = [];
  };
  const endRow = () => {
    flush();
    if (row.length > 0) rows.push(row);
    row = [];
  };
  const endTable = () => {
    if (layoutTable) {
      for (const r of rows) for (const cell of r) push("paragraph", cell.text, 0, cell.node);
    } else if (rows.length > 0) {
      const lines = rows.map((r) => `| ${r.map((c) => c.text).join(" | ")} |`);
      const first = rows[0] ?? [];
      if (first.every((c) => c.header)) {
        lines.splice(1, 0, `|${" --- |".repeat(first.length)}`);
      }
      push("table", lines.join("\n"), tableLinkChars, tableNode);
    }
    rows = [];
    tableLinkChars = 0;
    layoutTable = false;
  };
  const endList = () => {
    const items: string[] = [];
    let links = 0;
    for (const piece of pieces) {
      const at = items.length - 1;
      if (piece.join && at >= 0) items[at] = `${items[at]} ${piece.text}`;
      else items.push(`${INDENTS[Math.min(piece.depth, INDENTS.length) - 1] ?? ""}- ${piece.text}`);
      links += piece.linkChars;
    }
    push("list", items.join("\n"), links, listNode);
    pieces = [];
    layoutList = false;
  };
  const openContainer = (name: string) => {
    nodes.push({ parent: current(), tag: name });
    open.push(nodes.length - 1);
  };
  const closeContainer = (name: string) => {
    const stop = Math.max(1, open.length - MAX_CLOSE_SEARCH);
    for (let i = open.length - 1; i >= stop; i--) {
      if (nodes[open[i] ?? 0]?.tag === name) {
        open.length = i;
        return;
      }
    }
  };

  TOKEN.lastIndex = 0;
  let at = 0;
  for (let m = TOKEN.exec(html); m !== null; m = TOKEN.exec(html)) {
    if (m.index > at) {
      const text = html.slice(at, m.index);
      parts.push(text);
      if (anchorDepth > 0 && !blockAnchor) linkChars += text.length;
    }
    at = TOKEN.lastIndex;
    const rawName = m[2];
    if (rawName === undefined) continue; // comment or doctype
    const closing = m[1] === "/";
    const name = rawName.toLowerCase();
    const tag = TAGS.get(name) ?? Tag.Inline;
    if (tag === Tag.Inline) continue;
    if (anchorDepth > 0 && tag !== Tag.Anchor && tag !== Tag.Image && tag !== Tag.Br) {
      blockAnchor = true;
    }
    switch (tag) {
      case Tag.Anchor:
        anchorDepth = closing ? Math.max(0, anchorDepth - 1) : anchorDepth + 1;
        if (anchorDepth === 0) blockAnchor = false;
        break;
      case Tag.Image: {
        const alt = closing ? null : ALT.exec(m[0]);
        const text = alt ? clean(alt[1] ?? alt[2] ?? alt[3] ?? "") : "";
        if (text !== "") parts.push(` ![${text}] `);
        break;
      }
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
        } else if (listDepth > 0 && name === "article" && !layoutList) startLayout();
        else flush();
        if (CONTAINERS.has(name)) {
          if (closing) closeContainer(name);
          else openContainer(name);
        }
        break;
      case Tag.Heading:
        if (listDepth > 0 && tableDepth === 0 && !layoutList) startLayout();
        flush();
        newLine = true;
        if (tableDepth > 0) layoutTable = true;
        heading = closing ? 0 : name.charCodeAt(1) - 48;
        headingNode = current();
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
        newLine = true;
        if (closing) {
          closeContainer(name);
          listDepth = Math.max(0, listDepth - 1);
          itemDepth = Math.min(itemDepth, listDepth);
        } else {
          if (listDepth === 0) listNode = current();
          openContainer(name);
          listDepth++;
        }
        if (listDepth === 0 && closing) endList();
        break;
      case Tag.Item:
        if (tableDepth === 0 && listDepth > 0) {
          flush();
          newLine = true;
          // An item left open ends where the next one starts, as in HTML.
          if (!closing && ITEMS.has(nodes[current()]?.tag ?? "")) open.pop();
          if (closing) closeContainer(name);
          else {
            itemDepth = listDepth;
            openContainer(name);
          }
        } else if (tableDepth === 0) flush();
        else parts.push(" ");
        break;
      case Tag.Table:
        if (closing) {
          if (tableDepth === 0) break;
          endRow();
          closeContainer(name);
          tableDepth--;
          if (tableDepth === 0) endTable();
        } else {
          if (tableDepth > 0) layoutTable = true;
          else {
            flush();
            tableNode = current();
          }
          openContainer(name);
          tableDepth++;
        }
        break;
      case Tag.Row:
        if (tableDepth > 0) endRow();
        break;
      case Tag.Cell:
        if (tableDepth > 0) {
          flush();
          cellHeader = !closing && name === "th";
          if (closing) closeContainer(name);
          else openContainer(name);
        }
        break;
    }
  }
  if (at < html.length) parts.push(html.slice(at));
  flush();
  if (tableDepth > 0) {
    endRow();
    endTable();
  }
  if (pieces.length > 0) endList();
  return { blocks, nodes };
}
