/**
 * Readable-text extraction for the ingest pipeline. HTML goes through HTMLRewriter (a Workers
 * global) for native boilerplate removal and then one linear pass in JavaScript; see
 * `extract-rewriter.ts` and `extract-blocks.ts` for why it is split that way.
 */

import { type Block, type ScannedBlock, scanBlocks } from "./blocks";
import { decodeEntities } from "./entities";
import { buildRewriter, emptyMeta } from "./rewriter";

export type { Block } from "./blocks";
export { extractPlainText } from "./plain";

export interface ExtractedDocument {
  title: string | null;
  description: string | null;
  blocks: Block[];
  /** The blocks' text joined by blank lines: what search and chunking see. */
  text: string;
}

/**
 * Extracts the title, description and main-content blocks of an HTML page. Runs in workerd.
 *
 * @example
 * const doc = await extractHtml("<title>Hi</title><nav>menu</nav><h1>Hi</h1><p>Body.</p>");
 * // { title: "Hi", description: null, blocks: [{ kind: "heading", level: 1, text: "Hi" },
 * //   { kind: "paragraph", text: "Body." }], text: "Hi\n\nBody." }
 */
export async function extractHtml(
  html: string | ReadableStream<Uint8Array> | Response,
): Promise<ExtractedDocument> {
  const meta = emptyMeta();
  const input =
    html instanceof Response
      ? html
      : new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
  const cleaned = await buildRewriter(meta).transform(input).text();
  const scanned = scanBlocks(cleaned);
  const blocks = selectContent(scanned).map(toBlock);
  const title = metaText(meta.ogTitle) ?? metaText(meta.title) ?? firstHeading(blocks);
  const description = metaText(meta.description) ?? metaText(meta.ogDescription);
  return { title, description, blocks, text: blocks.map((b) => b.text).join("\n\n") };
}

/**
 * True for HTMLRewriter refusing a page whose parse would pass its memory limit (markup nested
 * tens of thousands deep, a tag never closed): trying again cannot help.
 */
export function isParserLimit(error: unknown): boolean {
  return error instanceof Error && error.message.includes("memory limit has been exceeded");
}

/** A region must hold this share of the page's text to be taken as the main content alone. */
const REGION_SHARE = 0.3;
/** Lists, tables and short paragraphs that are mostly link text are navigation. */
const MAX_LINK_DENSITY = 0.5;

/**
 * Keeps the main content: the largest `<main>`/`<article>` region when it holds enough of the
 * page's text, minus link-dense blocks (menus, "related" lists) wherever they are.
 */
function selectContent(blocks: ScannedBlock[]): ScannedBlock[] {
  const kept = blocks.filter((b) => b.kind === "code" || linkDensity(b) <= MAX_LINK_DENSITY);
  const regionChars = new Map<number, number>();
  let total = 0;
  for (const b of kept) {
    total += b.text.length;
    if (b.region >= 0) regionChars.set(b.region, (regionChars.get(b.region) ?? 0) + b.text.length);
  }
  let best = -1;
  let bestChars = 0;
  for (const [region, chars] of regionChars) {
    if (chars > bestChars) {
      best = region;
      bestChars = chars;
    }
  }
  if (best >= 0 && bestChars >= total * REGION_SHARE) return kept.filter((b) => b.region === best);
  return kept;
}

function linkDensity(b: ScannedBlock): number {
  return b.text.length === 0 ? 0 : b.linkChars / b.text.length;
}

function toBlock(b: ScannedBlock): Block {
  return b.level === undefined
    ? { kind: b.kind, text: b.text }
    : { kind: b.kind, level: b.level, text: b.text };
}

function metaText(value: string | null): string | null {
  if (value === null) return null;
  const text = decodeEntities(value).replace(/\s+/g, " ").trim();
  return text === "" ? null : text;
}

function firstHeading(blocks: Block[]): string | null {
  return blocks.find((b) => b.kind === "heading")?.text ?? null;
}
