import { SITEMAP_MAX_URLS } from "../sources/constants";

/**
 * A sitemap (sitemaps.org 0.9) read without an XML parser: the protocol's documents are flat
 * lists of `<url>` or `<sitemap>` entries, each with a `<loc>` and an optional `<lastmod>`. Every
 * scan is a forward `indexOf`, so the cost is linear in the document, malformed or not.
 */

export interface SitemapEntry {
  loc: string;
  /** ISO time of `<lastmod>`, null when absent or unreadable. */
  lastmod: string | null;
}

export type Sitemap =
  | { kind: "urlset"; entries: SitemapEntry[] }
  | { kind: "index"; entries: SitemapEntry[] };

export class SitemapTooLarge extends Error {
  override name = "SitemapTooLarge";
}

/**
 * Parses a sitemap or a sitemap index; null when the text is neither. Throws SitemapTooLarge
 * past SITEMAP_MAX_URLS entries.
 *
 * @example
 * parseSitemap('<urlset><url><loc>https://a.example/</loc></url></urlset>');
 * // { kind: "urlset", entries: [{ loc: "https://a.example/", lastmod: null }] }
 */
export function parseSitemap(xml: string): Sitemap | null {
  const index = xml.indexOf("<sitemapindex");
  const urlset = xml.indexOf("<urlset");
  if (index < 0 && urlset < 0) return null;
  const kind = index >= 0 && (urlset < 0 || index < urlset) ? "index" : "urlset";
  const tag = kind === "index" ? "sitemap" : "url";
  const entries: SitemapEntry[] = [];
  let at = kind === "index" ? index : urlset;
  for (;;) {
    const open = nextOpenTag(xml, tag, at);
    if (open < 0) break;
    const close = xml.indexOf(`</${tag}>`, open);
    if (close < 0) break;
    const block = xml.slice(open, close);
    const loc = element(block, "loc");
    if (loc) {
      if (entries.length >= SITEMAP_MAX_URLS) {
        throw new SitemapTooLarge(`more than ${SITEMAP_MAX_URLS} entries`);
      }
      entries.push({ loc, lastmod: toIso(element(block, "lastmod")) });
    }
    at = close + tag.length + 3;
  }
  return { kind, entries };
}

/** The next `<tag>` or `<tag …>` (not `<tagset`, not `<tag:…`) from `from`, or -1. */
function nextOpenTag(xml: string, tag: string, from: number): number {
  let at = from;
  for (;;) {
    const found = xml.indexOf(`<${tag}`, at);
    if (found < 0) return -1;
    const after = xml[found + tag.length + 1];
    if (after === ">" || after === " " || after === "\n" || after === "\t" || after === "\r") {
      return found;
    }
    at = found + 1;
  }
}

function element(block: string, name: string): string | null {
  const open = block.indexOf(`<${name}>`);
  if (open < 0) return null;
  const start = open + name.length + 2;
  const end = block.indexOf(`</${name}>`, start);
  if (end < 0) return null;
  let text = block.slice(start, end).trim();
  if (text.startsWith("<![CDATA[") && text.endsWith("]]>")) text = text.slice(9, -3).trim();
  else text = unescapeXml(text);
  return text || null;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (whole, name: string) => {
    if (name[0] !== "#") return ENTITIES[name.toLowerCase()] ?? whole;
    const code =
      name[1] === "x" || name[1] === "X"
        ? Number.parseInt(name.slice(2), 16)
        : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function toIso(value: string | null): string | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isFinite(time) ? new Date(time).toISOString() : null;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * The sitemap's text: gunzipped when the bytes are gzip (`sitemap.xml.gz`; a server that set
 * `Content-Encoding` was already decoded by fetch), cut off past `maxBytes` (null then).
 */
export async function sitemapText(raw: Uint8Array, maxBytes: number): Promise<string | null> {
  if (raw[0] !== GZIP_MAGIC[0] || raw[1] !== GZIP_MAGIC[1]) {
    return raw.byteLength > maxBytes ? null : new TextDecoder().decode(raw);
  }
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip"));
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    parts.push(value);
  }
  const decoder = new TextDecoder();
  return parts.map((part, i) => decoder.decode(part, { stream: i < parts.length - 1 })).join("");
}
