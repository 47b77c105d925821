/**
 * Main-content selection over the scanned blocks and their container tree, after Readability's
 * candidate scoring: every paragraph scores its ancestors by length and commas, link-heavy
 * containers lose their score, the best container wins together with siblings that score or
 * read nearly as well, and listings (repeated teaser cards) and link-dense lists inside it are
 * dropped. The signals are structural (text, commas, link density, nesting, repetition), not
 * class names, so they hold on pages nobody tuned for. Pure and linear in blocks + containers.
 */
import type { Scan, ScannedBlock } from "./blocks";

/** Paragraphs shorter than this carry no score (Readability's minimum too). */
const MIN_SCORED_CHARS = 25;
/** Ancestors a paragraph's score reaches: its container full, the next half, then 1/(3·level). */
const SCORED_LEVELS = 5;
/** Siblings of the winner scoring this share of it (and at least MIN_SIBLING_SCORE) join it. */
const SIBLING_RATIO = 0.2;
const MIN_SIBLING_SCORE = 10;
/** Siblings holding this share of the winner's prose, with few links, join it too. */
const SIBLING_PROSE_RATIO = 0.1;
const MAX_SIBLING_LINK_DENSITY = 0.25;
/** Lists, tables and short paragraphs that are mostly link text are navigation. */
const MAX_LINK_DENSITY = 0.5;
/** Below this length a paragraph is a caption or a link, judged by its link density alone. */
const SHORT_PARAGRAPH = 80;
/** A teaser card (one linked headline) is at most this long; two side by side make a listing. */
const MAX_CARD_CHARS = 600;

/** Readability's weights by tag: containers of prose up, lists and headings down. */
const TAG_WEIGHT: Record<string, number> = {
  div: 5,
  td: 3,
  blockquote: 3,
  ol: -3,
  ul: -3,
  dl: -3,
  th: -5,
};

/** Commas in Latin, CJK and Arabic scripts. */
const COMMAS = /[,\u060C\uFE50\uFE10\uFE11\u2E41\u2E34\u2E32\uFF0C\u3001]/g;

export interface SelectOptions {
  /** Drop listings of teaser cards; off for pages whose content is a listing. */
  dropListings: boolean;
}

/**
 * Picks the main-content blocks of a scanned page, in document order. Falls back to every
 * block that is not link-dense when no paragraph is long enough to score.
 *
 * @example
 * selectContent(scanBlocks(cleanedHtml), { dropListings: true }).map((b) => b.text);
 */
export function selectContent(scan: Scan, options: SelectOptions): ScannedBlock[] {
  const { blocks, nodes } = scan;
  const n = nodes.length;
  const parent = new Int32Array(n);
  const last = new Int32Array(n);
  const chars = new Float64Array(n);
  const links = new Float64Array(n);
  const cards = new Int32Array(n);
  const prose = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    parent[i] = nodes[i]?.parent ?? -1;
    last[i] = i;
  }
  for (const b of blocks) {
    chars[b.node] = (chars[b.node] ?? 0) + b.text.length;
    links[b.node] = (links[b.node] ?? 0) + b.linkChars;
    if (b.kind === "heading") cards[b.node] = (cards[b.node] ?? 0) + b.linkedHeadings;
  }
  // Pre-order: children follow their parent, so one backward pass sums every subtree.
  for (let i = n - 1; i > 0; i--) {
    const p = parent[i] ?? 0;
    chars[p] = (chars[p] ?? 0) + (chars[i] ?? 0);
    links[p] = (links[p] ?? 0) + (links[i] ?? 0);
    cards[p] = (cards[p] ?? 0) + (cards[i] ?? 0);
    if ((last[i] ?? i) > (last[p] ?? p)) last[p] = last[i] ?? i;
  }
  // Repeated siblings that are each one short card with a linked headline form a listing.
  const isCard = (i: number) => cards[i] === 1 && (chars[i] ?? 0) <= MAX_CARD_CHARS;
  const cardSiblings = new Int32Array(n);
  for (let i = 1; i < n; i++) {
    const p = parent[i] ?? 0;
    if (isCard(i)) cardSiblings[p] = (cardSiblings[p] ?? 0) + 1;
  }
  const listing = new Uint8Array(n);
  for (let i = 1; i < n && options.dropListings; i++) {
    const p = parent[i] ?? 0;
    listing[i] = listing[p] === 1 || (isCard(i) && (cardSiblings[p] ?? 0) >= 2) ? 1 : 0;
  }

  const raw = new Float64Array(n);
  const scored = new Uint8Array(n);
  for (const b of blocks) {
    if (b.kind === "heading" || b.kind === "list" || b.text.length < MIN_SCORED_CHARS) continue;
    if (listing[b.node] === 1) continue;
    const score = 1 + countCommas(b.text) + Math.min(Math.floor(b.text.length / 100), 3);
    prose[b.node] = (prose[b.node] ?? 0) + b.text.length - b.linkChars;
    let node = b.node;
    for (let level = 0; level < SCORED_LEVELS && node > 0; level++) {
      if (scored[node] === 0) {
        scored[node] = 1;
        raw[node] = TAG_WEIGHT[nodes[node]?.tag ?? ""] ?? 0;
      }
      raw[node] = (raw[node] ?? 0) + score / (level === 0 ? 1 : level === 1 ? 2 : level * 3);
      node = parent[node] ?? 0;
    }
  }
  for (let i = n - 1; i > 0; i--) {
    const p = parent[i] ?? 0;
    prose[p] = (prose[p] ?? 0) + (prose[i] ?? 0);
  }
  const density = (i: number) => ((chars[i] ?? 0) === 0 ? 0 : (links[i] ?? 0) / (chars[i] ?? 1));
  const final = new Float64Array(n);
  let top = -1;
  for (let i = 1; i < n; i++) {
    if (scored[i] === 0) continue;
    final[i] = (raw[i] ?? 0) * (1 - density(i));
    if (top < 0 || (final[i] ?? 0) > (final[top] ?? 0)) top = i;
  }
  const dropBlock = (b: ScannedBlock) =>
    listing[b.node] === 1 ||
    (options.dropListings && b.kind === "list" && b.linkedHeadings >= 2) ||
    linkDense(b);
  if (top < 0) return blocks.filter((b) => !dropBlock(b));
  const within = (node: number, root: number) => node >= root && node <= (last[root] ?? root);

  // Climb while the parent scores higher: the winner was one part of a larger whole.
  let lastScore = final[top] ?? 0;
  const threshold = lastScore / 3;
  for (let p = parent[top] ?? 0; p > 0; p = parent[p] ?? 0) {
    if (scored[p] === 0) continue;
    const score = final[p] ?? 0;
    if (score < threshold) break;
    if (score > lastScore) {
      top = p;
      break;
    }
    lastScore = score;
  }
  // A container that holds no text beside the winner only wraps it.
  while ((parent[top] ?? 0) > 0 && chars[parent[top] ?? 0] === chars[top]) top = parent[top] ?? 0;

  const host = parent[top] ?? 0;
  const end = last[host] ?? host;
  // keep[i]: node i is the winner, a sibling that scores or reads nearly as well, or inside one.
  const keep = new Uint8Array(n);
  const bar = Math.max(MIN_SIBLING_SCORE, (final[top] ?? 0) * SIBLING_RATIO);
  const proseBar = (prose[top] ?? 0) * SIBLING_PROSE_RATIO;
  for (let i = host + 1; i <= end; i++) {
    const p = parent[i] ?? 0;
    if (p !== host) keep[i] = keep[p] ?? 0;
    else if (i === top || (scored[i] === 1 && (final[i] ?? 0) >= bar)) keep[i] = 1;
    else if ((prose[i] ?? 0) >= proseBar && density(i) < MAX_SIBLING_LINK_DENSITY) keep[i] = 1;
  }
  const kept: ScannedBlock[] = [];
  for (const b of blocks) {
    if (b.node === host) {
      if (b.kind === "paragraph" && isSiblingParagraph(b)) kept.push(b);
    } else if (within(b.node, host) && keep[b.node] === 1 && !dropBlock(b)) {
      kept.push(b);
    }
  }
  return kept;
}

/**
 * The wide extraction for pages where selection keeps too little: everything inside the
 * page's `<main>` (the largest one, when it holds text), else everything, minus link lists.
 * The rewriter has already removed navigation, asides, and header and footer outside articles.
 */
export function wholePage(scan: Scan): ScannedBlock[] {
  const { blocks, nodes } = scan;
  const chars = new Float64Array(nodes.length);
  const last = new Int32Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) last[i] = i;
  for (const b of blocks) chars[b.node] = (chars[b.node] ?? 0) + b.text.length;
  let main = 0;
  for (let i = nodes.length - 1; i > 0; i--) {
    const p = nodes[i]?.parent ?? 0;
    chars[p] = (chars[p] ?? 0) + (chars[i] ?? 0);
    if ((last[i] ?? i) > (last[p] ?? p)) last[p] = last[i] ?? i;
  }
  for (let i = 1; i < nodes.length; i++) {
    if (nodes[i]?.tag === "main" && (main === 0 || (chars[i] ?? 0) > (chars[main] ?? 0))) main = i;
  }
  if ((chars[main] ?? 0) < (chars[0] ?? 0) / 2) main = 0;
  const end = last[main] ?? 0;
  return blocks.filter((b) => b.node >= main && b.node <= end && !linkDense(b));
}

/** Readability's test for a loose paragraph beside the winner: long and link-poor, or a sentence. */
function isSiblingParagraph(b: ScannedBlock): boolean {
  const length = b.text.length;
  const density = b.linkChars / length;
  if (length > SHORT_PARAGRAPH) return density < MAX_SIBLING_LINK_DENSITY;
  return density === 0 && /\.( |$)/.test(b.text);
}

function linkDense(b: ScannedBlock): boolean {
  if (b.kind === "code" || b.text.length === 0) return false;
  if (b.kind === "paragraph" && b.text.length > SHORT_PARAGRAPH) return false;
  return b.linkChars / b.text.length > MAX_LINK_DENSITY;
}

function countCommas(text: string): number {
  COMMAS.lastIndex = 0;
  let count = 0;
  while (COMMAS.exec(text) !== null) count++;
  return count;
}
