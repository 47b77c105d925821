/**
 * Extraction for non-HTML text bodies: plain text becomes paragraphs at blank lines; Markdown
 * keeps its ATX headings, fenced code, lists and pipe tables as blocks. Pure: runs anywhere.
 */

import type { Block } from "./blocks";
import type { ExtractedDocument } from "./service";

// Only the opening marks: the closing sequence is stripped by `headingText`, since a lazy
// `(.*?)(?:\s+#+\s*)?$` backtracks quadratically over a long run of spaces.
const HEADING = /^ {0,3}(#{1,6})\s/;
const FENCE = /^ {0,3}(```+|~~~+)/;
const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+/;
const TABLE_ROW = /^\s*\|/;

/**
 * Turns a text/plain or text/markdown body into an {@link ExtractedDocument}. For Markdown the
 * first `#` heading is the title.
 *
 * @example
 * extractPlainText("# Guide\n\nIntro.\n\n## Setup\n\nRun it.", "text/markdown").blocks;
 * // [{ kind: "heading", level: 1, text: "Guide" }, { kind: "paragraph", text: "Intro." },
 * //  { kind: "heading", level: 2, text: "Setup" }, { kind: "paragraph", text: "Run it." }]
 */
export function extractPlainText(
  text: string,
  kind: "text/plain" | "text/markdown",
): ExtractedDocument {
  const normalized = text.replace(/\r\n?/g, "\n");
  const blocks = kind === "text/markdown" ? markdownBlocks(normalized) : plainBlocks(normalized);
  const title =
    kind === "text/markdown" ? (blocks.find((b) => b.kind === "heading")?.text ?? null) : null;
  const joined = blocks.map((b) => b.text).join("\n\n");
  return {
    title,
    description: null,
    language: null,
    publishedAt: null,
    siteName: null,
    blocks,
    text: joined,
    extraction: {
      method: joined === "" ? "none" : "content",
      textChars: joined.length,
      ratio: joined === "" ? 0 : 1,
    },
  };
}

function plainBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  for (const para of text.split(/\n[ \t]*\n/)) {
    const clean = para.replace(/[ \t]+/g, " ").trim();
    if (clean !== "") blocks.push({ kind: "paragraph", text: clean });
  }
  return blocks;
}

function markdownBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let run: string[] = [];
  type RunKind = "paragraph" | "list" | "table";
  let runKind: RunKind = "paragraph";
  const flush = () => {
    const joined = runKind === "paragraph" ? run.join(" ").replace(/\s+/g, " ") : run.join("\n");
    if (joined.trim() !== "") blocks.push({ kind: runKind, text: joined.trim() });
    run = [];
  };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const marker = fence[1] ?? "```";
      const code: string[] = [];
      for (i++; i < lines.length && !(lines[i] ?? "").trimStart().startsWith(marker); i++) {
        code.push(lines[i] ?? "");
      }
      const body = code.join("\n").trimEnd();
      if (body !== "") blocks.push({ kind: "code", text: body });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const level = (heading[1] ?? "#").length;
      const title = headingText(line.slice(heading[0].length));
      if (title !== "") blocks.push({ kind: "heading", level, text: title });
      continue;
    }
    if (line.trim() === "") {
      flush();
      continue;
    }
    const lineKind: RunKind = LIST_ITEM.test(line)
      ? "list"
      : TABLE_ROW.test(line)
        ? "table"
        : "paragraph";
    // A continuation line of a list item stays in the list.
    const kindHere: RunKind =
      runKind === "list" && lineKind === "paragraph" && run.length > 0 ? "list" : lineKind;
    if (kindHere !== runKind) flush();
    runKind = kindHere;
    run.push(kindHere === "paragraph" ? line.trim() : line.trimEnd());
  }
  flush();
  return blocks;
}

/** An ATX heading's text: trimmed, without its optional closing `#` sequence. */
function headingText(rest: string): string {
  const text = rest.trim();
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 35 /* # */) end--;
  if (end === 0) return "";
  // Closing #s count only after whitespace ("# C#" keeps its "#").
  if (end < text.length && /\s/.test(text.charAt(end - 1))) return text.slice(0, end).trim();
  return text;
}
