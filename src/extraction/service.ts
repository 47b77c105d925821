/**
 * Readable-text extraction for the ingest pipeline. HTML goes through HTMLRewriter (a Workers
 * global) for native boilerplate removal and then linear passes in JavaScript: `blocks.ts`
 * scans, `select.ts` picks the main content, `metadata.ts` reads what the page says about itself.
 */

import { type Block, type Scan, type ScannedBlock, scanBlocks } from "./blocks";
import { emptyMeta, type PageMetadata, resolveMetadata } from "./metadata";
import { buildRewriter } from "./rewriter";
import { selectContent, wholePage } from "./select";

export type { Block } from "./blocks";
export type { PageMetadata } from "./metadata";
export { extractPlainText } from "./plain";

/**
 * Which path produced the text: `content` the main-content selection, `fallback` the whole
 * page minus navigation, header and footer (taken when selection keeps too little of the
 * page), `none` when the page has no text at all.
 */
export type ExtractionMethod = "content" | "fallback" | "none";

export interface ExtractionInfo {
  method: ExtractionMethod;
  /** Characters of extracted text. */
  textChars: number;
  /** Share of the page's text (what boilerplate removal left) that was kept; 0 to 1. */
  ratio: number;
}

export interface ExtractedDocument extends PageMetadata {
  blocks: Block[];
  /** The blocks' text joined by blank lines: what search and chunking see. */
  text: string;
  extraction: ExtractionInfo;
}

/**
 * Below this share of the page's text, selection is taken to have missed the content: it is
 * retried without dropping listings, then the page is taken whole. Measured on the bench
 * pages (`npm run bench:extraction` prints each page's ratio): correct extractions keep
 * 3 % or more of the page's text.
 */
export const MIN_CONTENT_RATIO = 0.03;

/**
 * Extracts the metadata and main-content blocks of an HTML page. Runs in workerd.
 *
 * @example
 * const doc = await extractHtml("<title>Hi</title><nav>menu</nav><h1>Hi</h1><p>Body.</p>");
 * // { title: "Hi", description: null, language: null, publishedAt: null, siteName: null,
 * //   blocks: [{ kind: "heading", level: 1, text: "Hi" }, { kind: "paragraph", text: "Body." }],
 * //   text: "Hi\n\nBody.", extraction: { method: "content", textChars: 9, ratio: 1 } }
 */
export async function extractHtml(
  html: string | ReadableStream<Uint8Array> | Response,
): Promise<ExtractedDocument> {
  const meta = emptyMeta();
  const input = html instanceof Response ? await asciiCompatible(html) : utf8Response(html);
  const cleaned = await buildRewriter(meta).transform(input).text();
  const picked = pick(scanBlocks(cleaned));
  const blocks = picked.blocks.map(toBlock);
  const text = blocks.map((b) => b.text).join("\n\n");
  const metadata = resolveMetadata(meta);
  metadata.title ??= firstHeading(blocks);
  const extraction = { method: picked.method, textChars: text.length, ratio: picked.ratio };
  return { ...metadata, blocks, text, extraction };
}

/**
 * True for HTMLRewriter refusing a page whose parse would pass its memory limit (markup nested
 * tens of thousands deep, a tag never closed): trying again cannot help.
 */
export function isParserLimit(error: unknown): boolean {
  return error instanceof Error && error.message.includes("memory limit has been exceeded");
}

/** Main-content selection, then the same without listings, then the whole page. */
function pick(scan: Scan): { blocks: ScannedBlock[]; method: ExtractionMethod; ratio: number } {
  const pageChars = charsOf(scan.blocks);
  const result = (method: ExtractionMethod, blocks: ScannedBlock[]) => {
    const chars = charsOf(blocks);
    const ratio = pageChars === 0 ? 0 : Math.round((chars / pageChars) * 1000) / 1000;
    return { blocks, method: chars === 0 ? "none" : method, ratio } as const;
  };
  if (pageChars === 0) return result("none", []);
  for (const dropListings of [true, false]) {
    const blocks = selectContent(scan, { dropListings });
    if (charsOf(blocks) >= pageChars * MIN_CONTENT_RATIO) return result("content", blocks);
  }
  return result("fallback", wholePage(scan));
}

function utf8Response(body: string | ReadableStream<Uint8Array>): Response {
  return new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } });
}

/**
 * lol-html parses only ASCII-compatible encodings and rejects unknown labels, so UTF-16 bodies
 * are decoded here first and an unknown charset is read as UTF-8.
 */
async function asciiCompatible(response: Response): Promise<Response> {
  const label = /charset\s*=\s*["']?([^"';\s]+)/i.exec(response.headers.get("content-type") ?? "");
  if (!label?.[1]) return response;
  let encoding: string;
  try {
    encoding = new TextDecoder(label[1]).encoding;
  } catch {
    return utf8Response(response.body ?? "");
  }
  if (!encoding.startsWith("utf-16")) return response;
  return utf8Response(new TextDecoder(encoding).decode(await response.arrayBuffer()));
}

function charsOf(blocks: ScannedBlock[]): number {
  let chars = 0;
  for (const b of blocks) chars += b.text.length;
  return chars;
}

function toBlock(b: ScannedBlock): Block {
  return b.level === undefined
    ? { kind: b.kind, text: b.text }
    : { kind: b.kind, level: b.level, text: b.text };
}

function firstHeading(blocks: Block[]): string | null {
  return blocks.find((b) => b.kind === "heading")?.text ?? null;
}
