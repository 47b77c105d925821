/**
 * Page metadata as the page states it: `<title>`, `<html lang>`, meta and Open Graph tags, and
 * schema.org JSON-LD. The rewriter collects the raw values; {@link resolveMetadata} picks, cleans
 * and bounds them. Pure: runs anywhere.
 */
import { decodeEntities } from "./entities";

/** Raw values as the rewriter met them; the first of each kind wins. */
export interface PageMeta {
  title: string | null;
  ogTitle: string | null;
  description: string | null;
  ogDescription: string | null;
  siteName: string | null;
  published: string | null;
  lang: string | null;
  metaLang: string | null;
  /** Text of `application/ld+json` scripts, capped at {@link MAX_JSON_LD_CHARS}. */
  jsonLd: string;
}

export interface PageMetadata {
  title: string | null;
  description: string | null;
  /** BCP 47 tag such as `en` or `pt-BR`. */
  language: string | null;
  /** ISO 8601 timestamp. */
  publishedAt: string | null;
  siteName: string | null;
}

/** JSON-LD beyond this is not read: it is metadata, and pages embed whole catalogues there. */
export const MAX_JSON_LD_CHARS = 100_000;
export const MAX_TITLE_CHARS = 500;
export const MAX_DESCRIPTION_CHARS = 2000;
export const MAX_SITE_NAME_CHARS = 200;
export const MAX_LANGUAGE_CHARS = 35;

/** A BCP 47 tag's shape (no `i` flag: the API states it as a JSON Schema pattern). */
export const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;

/** A fresh, empty record for the rewriter to fill. */
export function emptyMeta(): PageMeta {
  return {
    title: null,
    ogTitle: null,
    description: null,
    ogDescription: null,
    siteName: null,
    published: null,
    lang: null,
    metaLang: null,
    jsonLd: "",
  };
}

interface LinkedData {
  headline?: string;
  description?: string;
  datePublished?: string;
  inLanguage?: string;
  publisherName?: string;
}

/**
 * Picks each field from the sources that state it, most specific first: Open Graph over
 * `<title>`, meta description over JSON-LD, `<html lang>` over `og:locale`.
 *
 * @example
 * resolveMetadata({ ...emptyMeta(), title: " Hi &amp; bye ", lang: "en_US" });
 * // { title: "Hi & bye", description: null, language: "en-US", publishedAt: null, siteName: null }
 */
export function resolveMetadata(meta: PageMeta): PageMetadata {
  const ld = linkedData(meta.jsonLd);
  return {
    title: text(meta.ogTitle ?? ld.headline ?? meta.title, MAX_TITLE_CHARS),
    description: text(
      meta.description ?? meta.ogDescription ?? ld.description,
      MAX_DESCRIPTION_CHARS,
    ),
    language: language(meta.lang) ?? language(meta.metaLang) ?? language(ld.inLanguage ?? null),
    publishedAt: timestamp(meta.published) ?? timestamp(ld.datePublished ?? null),
    siteName: text(meta.siteName ?? ld.publisherName, MAX_SITE_NAME_CHARS),
  };
}

function text(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  const clean = decodeEntities(value).replace(/\s+/g, " ").trim();
  if (clean === "") return null;
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

function language(value: string | null): string | null {
  if (value === null) return null;
  const tag =
    value
      .trim()
      .replace(/_/g, "-")
      .split(/[,;\s]/)[0] ?? "";
  return tag.length <= MAX_LANGUAGE_CHARS && LANGUAGE_TAG.test(tag) ? tag : null;
}

function timestamp(value: string | null): string | null {
  if (value === null) return null;
  const time = Date.parse(value.trim());
  // Years outside 1970..9999 are typos or placeholders, and would not fit ISO 8601's 4 digits.
  if (Number.isNaN(time) || time < 0 || time > 253402300799999) return null;
  return new Date(time).toISOString();
}

const ARTICLE_TYPES = /Article|BlogPosting|Posting|Report|WebPage|Recipe|HowTo/;

/** The first schema.org creative work in the page's JSON-LD (top level or in `@graph`). */
function linkedData(raw: string): LinkedData {
  if (raw === "") return {};
  const found: LinkedData = {};
  // Several scripts arrive concatenated; each is parsed on its own.
  for (const part of raw.split("\u0000")) {
    let value: unknown;
    try {
      value = JSON.parse(part);
    } catch {
      continue;
    }
    const queue: unknown[] = [value];
    for (let i = 0; i < queue.length && i < 200; i++) {
      const item = queue[i];
      if (Array.isArray(item)) {
        queue.push(...item);
        continue;
      }
      if (typeof item !== "object" || item === null) continue;
      const node = item as Record<string, unknown>;
      if (Array.isArray(node["@graph"])) queue.push(...node["@graph"]);
      const type = node["@type"];
      const types = Array.isArray(type) ? type.join(" ") : String(type ?? "");
      if (!ARTICLE_TYPES.test(types)) continue;
      found.headline ??= str(node.headline) ?? str(node.name);
      found.description ??= str(node.description);
      found.datePublished ??= str(node.datePublished);
      found.inLanguage ??= str(node.inLanguage);
      const publisher = node.publisher as Record<string, unknown> | undefined;
      found.publisherName ??= str(publisher?.name);
    }
  }
  return found;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
