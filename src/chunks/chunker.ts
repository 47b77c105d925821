/**
 * Heading-aware chunking. Pure: runs anywhere.
 *
 * Units: `chunkSize` and `chunkOverlap` count characters (UTF-16 code units, `string.length`),
 * as LangChain's splitters do. Headings start a new section and chunks never span two sections;
 * inside a section a chunk is cut at a paragraph break, else a line break, else a sentence end,
 * else a space, else anywhere. Consecutive chunks of a section share up to `chunkOverlap`
 * characters, taken whole pieces at a time.
 */
import type { Block } from "../extraction/blocks";

export interface Chunk {
  /** 0-based order of the chunk in its document. */
  position: number;
  text: string;
  /** Texts of the enclosing headings, outermost first. */
  headingPath: string[];
  /** Estimated BPE tokens of `text`; see {@link estimateTokens}. */
  tokenCount: number;
}

export interface ChunkOptions {
  /** Largest chunk, in characters. */
  chunkSize: number;
  /** Characters a chunk may repeat from the end of the previous one; below `chunkSize`. */
  chunkOverlap: number;
}

/**
 * Splits a document into chunks that keep their heading path and order. `text`, when given,
 * must be the blocks' texts joined by blank lines (`extractHtml` returns it so) and saves a copy.
 *
 * @example
 * chunkDocument(
 *   { title: "Guide", blocks: [{ kind: "heading", level: 2, text: "Setup" },
 *     { kind: "paragraph", text: "Run it." }] },
 *   { chunkSize: 1000, chunkOverlap: 200 },
 * ); // [{ position: 0, text: "Run it.", headingPath: ["Setup"], tokenCount: 2 }]
 */
export function chunkDocument(
  doc: { title: string | null; blocks: Block[]; text?: string },
  options: ChunkOptions,
): Chunk[] {
  checkOptions(options);
  const all = documentText(doc);
  const chunks: Chunk[] = [];
  const headings: { level: number; text: string }[] = [];
  let path: string[] = [];
  let at = 0;
  let sectionStart = -1;
  let sectionEnd = 0;
  for (const block of doc.blocks) {
    if (block.kind !== "heading") {
      if (sectionStart < 0) sectionStart = at;
      sectionEnd = at + block.text.length;
    } else {
      if (sectionStart >= 0) emitSection(all, sectionStart, sectionEnd, path, options, chunks);
      sectionStart = -1;
      const level = block.level ?? 1;
      while (headings.length > 0 && (headings[headings.length - 1]?.level ?? 0) >= level) {
        headings.pop();
      }
      headings.push({ level, text: block.text });
      path = headings.map((h) => h.text);
    }
    at += block.text.length + 2;
  }
  if (sectionStart >= 0) emitSection(all, sectionStart, sectionEnd, path, options, chunks);
  return chunks;
}

/**
 * The text to embed for a chunk: title and heading path, then the chunk. A first heading equal
 * to the title (a page's `<h1>` usually is) is not repeated.
 *
 * @example
 * embeddingInput("Guide", { position: 0, text: "Run it.", headingPath: ["Setup"], tokenCount: 2 });
 * // "Guide > Setup\n\nRun it."
 */
export function embeddingInput(title: string | null, chunk: Chunk): string {
  const path =
    title && chunk.headingPath[0] === title ? chunk.headingPath.slice(1) : chunk.headingPath;
  const prefix = [title ?? "", ...path].filter((p) => p !== "").join(" > ");
  return prefix === "" ? chunk.text : `${prefix}\n\n${chunk.text}`;
}

/**
 * The blocks' texts joined by blank lines, as `ExtractedDocument.text` already holds them. Every
 * chunk is a slice of this one string, which V8 keeps as a view rather than a copy, so chunking
 * allocates little beyond the chunk objects.
 */
function documentText(doc: { blocks: Block[]; text?: string }): string {
  let length = Math.max(0, 2 * (doc.blocks.length - 1));
  for (const block of doc.blocks) length += block.text.length;
  if (doc.text !== undefined && doc.text.length === length) return doc.text;
  return doc.blocks.map((b) => b.text).join("\n\n");
}

/** Appends the chunks of all[from, to), the text under one heading path, to `chunks`. */
function emitSection(
  all: string,
  from: number,
  to: number,
  path: string[],
  options: ChunkOptions,
  chunks: Chunk[],
): void {
  const spans = splitRange(all, from, to, options.chunkSize, options.chunkOverlap);
  for (let i = 0; i < spans.length; i += 2) {
    let start = spans[i] ?? 0;
    let end = spans[i + 1] ?? 0;
    while (start < end && isSpace(all.charCodeAt(start))) start++;
    while (end > start && isSpace(all.charCodeAt(end - 1))) end--;
    if (start === end) continue;
    chunks.push({
      position: chunks.length,
      text: all.slice(start, end),
      headingPath: path,
      tokenCount: estimateRange(all, start, end),
    });
  }
}

/** Whitespace as `String.prototype.trim` sees it. */
function isSpace(code: number): boolean {
  return (
    code <= 32 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Cuts `text` into spans of at most `chunkSize` characters that together cover all of it,
 * returned flat as `[start0, end0, start1, end1, …]` (end exclusive). Spans overlap by at most
 * `chunkOverlap` characters.
 *
 * @example
 * splitText("One. Two.", { chunkSize: 5, chunkOverlap: 0 }); // [0, 5, 5, 9]
 */
export function splitText(text: string, options: ChunkOptions): number[] {
  checkOptions(options);
  return splitRange(text, 0, text.length, options.chunkSize, options.chunkOverlap);
}

function splitRange(text: string, from: number, to: number, size: number, overlap: number) {
  if (from >= to) return [];
  const cuts: number[] = [from];
  pieces(text, from, to, 0, size, cuts);
  // cuts[k]..cuts[k+1] is piece k; greedily pack pieces into spans.
  const spans: number[] = [];
  const n = cuts.length - 1;
  let i = 0;
  while (i < n) {
    const start = cuts[i] ?? 0;
    let j = i + 1;
    while (j < n && (cuts[j + 1] ?? 0) - start <= size) j++;
    const end = cuts[j] ?? to;
    spans.push(start, end);
    if (j >= n) break;
    // The next span starts at the earliest piece boundary that keeps the overlap in bounds and
    // still leaves room for the next piece.
    const nextEnd = cuts[j + 1] ?? end;
    let k = i + 1;
    while (k < j && (end - (cuts[k] ?? 0) > overlap || nextEnd - (cuts[k] ?? 0) > size)) k++;
    i = k;
  }
  return spans;
}

const SENTENCE_END = /[.!?。！？][)"'\]”’]*\s+/g;

/**
 * Appends to `cuts` the piece boundaries of text[start, end) after `start`: pieces are at most
 * `size` long and are cut at the coarsest separator that gets them there.
 */
function pieces(
  text: string,
  start: number,
  end: number,
  level: number,
  size: number,
  cuts: number[],
): void {
  if (end - start <= size) {
    cuts.push(end);
    return;
  }
  if (level >= 4) {
    let at = start;
    while (end - at > size) {
      let cut = at + size;
      // Never cut a surrogate pair in two.
      const code = text.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff && cut - 1 > at) cut--;
      cuts.push(cut);
      at = cut;
    }
    cuts.push(end);
    return;
  }
  let from = start;
  const emit = (to: number) => {
    if (to <= from) return;
    pieces(text, from, to, level + 1, size, cuts);
    from = to;
  };
  // Searched as a slice (a view, not a copy): a search of the whole text for a separator this
  // range lacks would scan on to the text's end, once per range, which is quadratic.
  const span = text.slice(start, end);
  if (level === 2) {
    SENTENCE_END.lastIndex = 0;
    for (let m = SENTENCE_END.exec(span); m !== null; m = SENTENCE_END.exec(span)) {
      emit(start + SENTENCE_END.lastIndex);
    }
  } else {
    const separator = level === 0 ? "\n\n" : level === 1 ? "\n" : " ";
    for (let at = span.indexOf(separator); at !== -1; ) {
      let next = at + separator.length;
      while (next < span.length && span.charCodeAt(next) === separator.charCodeAt(0)) next++;
      emit(start + next);
      at = span.indexOf(separator, next);
    }
  }
  emit(end);
}

/** Characters of a long text that {@link estimateTokens} inspects, from three places. */
const PROBE = 32;

/**
 * Estimated BPE tokens (cl100k-like) without a vocabulary: Latin-script text averages about four
 * characters a token, other alphabets (Greek, Cyrillic, Arabic, Indic…) about two, CJK about
 * one. Texts longer than 3 × 32 characters are judged by their start, middle and end, since a
 * loop over every character would cost more than the rest of chunking. Within about 25% of a
 * real tokenizer on prose; for budgeting, not billing.
 *
 * @example
 * estimateTokens("Hello world, again."); // 5
 */
export function estimateTokens(text: string): number {
  return estimateRange(text, 0, text.length);
}

function estimateRange(text: string, from: number, to: number): number {
  const n = to - from;
  if (n <= 3 * PROBE) return Math.ceil(denseWeight(text, from, to) + (n - dense) / 4);
  const mid = from + ((n - PROBE) >> 1);
  let weight = denseWeight(text, from, from + PROBE);
  let probedDense = dense;
  weight += denseWeight(text, mid, mid + PROBE);
  probedDense += dense;
  weight += denseWeight(text, to - PROBE, to);
  probedDense += dense;
  return Math.ceil(((weight + (3 * PROBE - probedDense) / 4) * n) / (3 * PROBE));
}

/** Characters outside Latin script seen by the last {@link denseWeight} call. */
let dense = 0;

/** Tokens of the non-Latin characters of text[from, to); sets {@link dense} to their count. */
function denseWeight(text: string, from: number, to: number): number {
  let narrow = 0;
  let wide = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x3000) wide++;
    else if (code >= 0x370 && code < 0x2000) narrow++;
  }
  dense = narrow + wide;
  return narrow / 2 + wide;
}

function checkOptions({ chunkSize, chunkOverlap }: ChunkOptions): void {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  }
  if (!Number.isInteger(chunkOverlap) || chunkOverlap < 0 || chunkOverlap >= chunkSize) {
    throw new RangeError(`chunkOverlap must be an integer in [0, chunkSize), got ${chunkOverlap}`);
  }
}
