/**
 * Main-content selection over the scanned blocks and their container tree, after Readability's
 * candidate scoring: every paragraph scores its ancestors by length and commas, link-heavy
 * containers lose their score, and the best container wins. The winner stays inside the page's
 * one `<article>` (or `<main>`) when that holds a candidate at least half as good; a run of similar
 * candidates (cards, entries of a section front) promotes their common ancestor; siblings that
 * score or read nearly as well join. Inside, listings (repeated teaser cards) and short
 * link-dense boxes and lists are dropped. The signals are structural (text, commas, link
 * density, nesting, repetition, semantic elements), not class names, so they hold on pages
 * nobody tuned for. Pure and linear in blocks + containers.
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

/** A box inside the content with fewer commas than this and more link text is dropped. */
const MAX_TEASER_COMMAS = 10;
const MAX_BOX_LINK_DENSITY = 0.2;

/** Of the best candidates, rivals scoring this share of the winner; three make a run. */
const TOP_CANDIDATES = 5;
const RIVAL_RATIO = 0.75;
const MIN_RIVALS = 3;

/**
 * Sibling sections opened by same-level headings make a run (a reference page's parts) when
 * there are this many and none holds this share of their text.
 */
const MIN_SECTIONS = 3;
const MAX_SECTION_SHARE = 0.5;
/** Listings are content when they hold this share of the page's semantic region. */
const LISTING_REGION_SHARE = 0.5;
/** The semantic region's best candidate wins when it scores this share of the best overall. */
const REGION_RATIO = 0.5;

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

/** Per container (index into `Scan.nodes`): its subtree's measures and its candidate score. */
interface Tree {
  nodes: Scan["nodes"];
  parent: Int32Array;
  /** Last node of the subtree: node j is inside i when i <= j <= last[i]. */
  last: Int32Array;
  chars: Float64Array;
  links: Float64Array;
  commas: Float64Array;
  /** Characters of scored paragraphs outside links. */
  prose: Float64Array;
  /** 1 inside a listing of teaser cards (when listings are dropped). */
  listing: Uint8Array;
  /** The page's one <article> outside listings, else its one <main>; 0 when there is none. */
  region: number;
  /** Heading level that opens the node's text, 0 when its text does not open with a heading. */
  lead: Uint8Array;
  /** 1 for a section in a run of sibling sections opened by same-level headings. */
  inRun: Uint8Array;
  /** 1 when a paragraph scored the node; `final` is then its score after link density. */
  scored: Uint8Array;
  final: Float64Array;
}

/**
 * Picks the main-content blocks of a scanned page, in document order. Falls back to every
 * block that is not link-dense when no paragraph is long enough to score.
 *
 * @example
 * selectContent(scanBlocks(cleanedHtml), { dropListings: true }).map((b) => b.text);
 */
export function selectContent(scan: Scan, options: SelectOptions): ScannedBlock[] {
  const t = measure(scan, options);
  const { parent, last, final } = t;
  const dropBlock = (b: ScannedBlock) => t.listing[b.node] === 1 || linkDense(b);
  const { top, alone, sectioned } = pickWinner(t);
  if (top < 0) return scan.blocks.filter((b) => !dropBlock(b));

  // Readability's conditional cleaning: inside the content, a box of short text (few commas)
  // that is more than a fifth link text is a teaser, a byline bar or a share row.
  const teaserBox = (i: number) =>
    i !== top &&
    t.nodes[i]?.tag === "div" &&
    (t.commas[i] ?? 0) < MAX_TEASER_COMMAS &&
    density(t, i) > MAX_BOX_LINK_DENSITY;
  const host = parent[top] ?? 0;
  const end = last[host] ?? host;
  // keep[i]: node i is the winner, a sibling that scores or reads nearly as well, or inside one.
  const keep = new Uint8Array(t.nodes.length);
  const bar = Math.max(MIN_SIBLING_SCORE, (final[top] ?? 0) * SIBLING_RATIO);
  const proseBar = (t.prose[top] ?? 0) * SIBLING_PROSE_RATIO;
  for (let i = host + 1; i <= end; i++) {
    const p = parent[i] ?? 0;
    if (p !== host) keep[i] = keep[p] === 1 && !teaserBox(i) ? 1 : 0;
    else if (i === top) keep[i] = 1;
    else if (alone) keep[i] = 0;
    else if (sectioned && t.inRun[i] === 1 && t.lead[i] === t.lead[top]) keep[i] = 1;
    else if (t.scored[i] === 1 && (final[i] ?? 0) >= bar) keep[i] = 1;
    else if ((t.prose[i] ?? 0) >= proseBar && density(t, i) < MAX_SIBLING_LINK_DENSITY) {
      keep[i] = 1;
    }
  }
  const kept: ScannedBlock[] = [];
  for (const b of scan.blocks) {
    if (b.node === host) {
      if (!alone && isSiblingBlock(b)) kept.push(b);
    } else if (b.node > host && b.node <= end && keep[b.node] === 1 && !dropBlock(b)) {
      kept.push(b);
    }
  }
  return kept;
}

/** Sums every subtree, marks listings, and scores candidates by the paragraphs inside them. */
function measure(scan: Scan, options: SelectOptions): Tree {
  const { blocks, nodes } = scan;
  const n = nodes.length;
  const parent = new Int32Array(n);
  const last = new Int32Array(n);
  const chars = new Float64Array(n);
  const links = new Float64Array(n);
  const commas = new Float64Array(n);
  const cards = new Int32Array(n);
  const prose = new Float64Array(n);
  const blockCommas = new Int32Array(blocks.length);
  for (let i = 0; i < n; i++) {
    parent[i] = nodes[i]?.parent ?? -1;
    last[i] = i;
  }
  const lead = new Uint8Array(n);
  const led = new Uint8Array(n);
  blocks.forEach((b, k) => {
    // The first block under a node marks its ancestors up to the first already marked one, so
    // each node is visited once: lead[i] is the level of the heading that opens node i, or 0.
    for (let a = b.node; a > 0 && led[a] === 0; a = parent[a] ?? 0) {
      led[a] = 1;
      lead[a] = b.kind === "heading" ? (b.level ?? 0) : 0;
    }
    blockCommas[k] = countCommas(b.text);
    chars[b.node] = (chars[b.node] ?? 0) + b.text.length;
    links[b.node] = (links[b.node] ?? 0) + b.linkChars;
    commas[b.node] = (commas[b.node] ?? 0) + (blockCommas[k] ?? 0);
    if (b.kind === "heading") cards[b.node] = (cards[b.node] ?? 0) + b.linkedHeadings;
  });
  // Pre-order: children follow their parent, so one backward pass sums every subtree.
  for (let i = n - 1; i > 0; i--) {
    const p = parent[i] ?? 0;
    chars[p] = (chars[p] ?? 0) + (chars[i] ?? 0);
    links[p] = (links[p] ?? 0) + (links[i] ?? 0);
    commas[p] = (commas[p] ?? 0) + (commas[i] ?? 0);
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
  // A semantic region that is mostly listing is a section front: its cards are the content.
  const region = semanticRegion(nodes, listing);
  if (region > 0) {
    const end = last[region] ?? region;
    let listed = 0;
    for (let i = region + 1; i <= end; i++) {
      if (listing[i] === 1 && listing[parent[i] ?? 0] === 0) listed += chars[i] ?? 0;
    }
    if (listed >= (chars[region] ?? 0) * LISTING_REGION_SHARE) listing.fill(0, region, end + 1);
  }

  const raw = new Float64Array(n);
  const scored = new Uint8Array(n);
  blocks.forEach((b, k) => {
    if (b.kind === "heading" || b.kind === "list" || b.text.length < MIN_SCORED_CHARS) return;
    if (listing[b.node] === 1) return;
    const score = 1 + (blockCommas[k] ?? 0) + Math.min(Math.floor(b.text.length / 100), 3);
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
  });
  for (let i = n - 1; i > 0; i--) {
    const p = parent[i] ?? 0;
    prose[p] = (prose[p] ?? 0) + (prose[i] ?? 0);
  }
  // Sections: siblings opened by headings of one level that are not link lists. A section
  // belongs to a run when three or more share its parent and level and none holds most of
  // their text (the content of a reference page, rather than an article beside two boxes).
  const isSection = (i: number) =>
    lead[i] !== 0 && (links[i] ?? 0) < (chars[i] ?? 0) * MAX_LINK_DENSITY;
  const sectionKey = (i: number) => (parent[i] ?? 0) * 8 + (lead[i] ?? 0);
  const runs = new Map<number, { count: number; chars: number }>();
  for (let i = 1; i < n; i++) {
    if (!isSection(i)) continue;
    const run = runs.get(sectionKey(i)) ?? { count: 0, chars: 0 };
    run.count++;
    run.chars += chars[i] ?? 0;
    runs.set(sectionKey(i), run);
  }
  const inRun = new Uint8Array(n);
  for (let i = 1; i < n; i++) {
    const run = isSection(i) ? runs.get(sectionKey(i)) : undefined;
    if (run && run.count >= MIN_SECTIONS && (chars[i] ?? 0) < run.chars * MAX_SECTION_SHARE) {
      inRun[i] = 1;
    }
  }
  const t = {
    inRun,
    lead,
    nodes,
    parent,
    last,
    chars,
    links,
    commas,
    prose,
    listing,
    region,
    scored,
    final: raw,
  };
  for (let i = 1; i < n; i++) raw[i] = (raw[i] ?? 0) * (1 - density(t, i));
  return t;
}

/**
 * The winning container: the best-scoring one, moved into the page's semantic region, up to
 * the ancestor of a run of similar sections, and up while the parent scores higher. `alone`:
 * the winner is that region, so nothing outside it joins.
 */
function pickWinner(t: Tree): { top: number; alone: boolean; sectioned: boolean } {
  const { nodes, parent, last, chars, scored, final } = t;
  const score = (i: number) => final[i] ?? 0;
  const within = (node: number, root: number) => node >= root && node <= (last[root] ?? root);
  /** The best candidates, best first. */
  const best: number[] = [];
  for (let i = 1; i < nodes.length; i++) {
    if (scored[i] === 0) continue;
    if (best.length === TOP_CANDIDATES && score(i) <= score(best.at(-1) ?? 0)) continue;
    let at = best.length;
    while (at > 0 && score(i) > score(best[at - 1] ?? 0)) at--;
    best.splice(at, 0, i);
    if (best.length > TOP_CANDIDATES) best.pop();
  }
  let top = best[0] ?? -1;
  if (top < 0) return { top, alone: false, sectioned: false };

  // The page's one <article> (else its one <main>) says where the content is: when it holds a
  // candidate at least half as good as the best, the winner is taken inside it and never leaves it.
  const { region } = t;
  if (region > 0) {
    let inside = -1;
    for (let i = region; i <= (last[region] ?? region); i++) {
      if (scored[i] === 1 && (inside < 0 || score(i) > score(inside))) inside = i;
    }
    if (inside >= 0 && score(inside) >= score(top) * REGION_RATIO) top = inside;
  }
  const confined = region > 0 && within(top, region);
  const mayClimbTo = (a: number) => a > 0 && (!confined || within(a, region));

  // Several candidates nearly as good as the winner under one ancestor: the content is a run
  // of similar sections (cards, entries), and the first ancestor holding three holds it all.
  const rivals = best.filter((i) => i !== top && score(i) >= score(top) * RIVAL_RATIO);
  if (rivals.length >= MIN_RIVALS) {
    for (let a = parent[top] ?? 0; mayClimbTo(a) && nodes[a]?.tag !== "body"; a = parent[a] ?? 0) {
      if (rivals.filter((i) => i !== a && within(i, a)).length >= MIN_RIVALS) {
        top = a;
        break;
      }
    }
  }
  // Climb while the parent scores higher: the winner was one part of a larger whole.
  let lastScore = score(top);
  const threshold = lastScore / 3;
  for (let p = parent[top] ?? 0; mayClimbTo(p); p = parent[p] ?? 0) {
    if (scored[p] === 0) continue;
    if (score(p) < threshold) break;
    if (score(p) > lastScore) {
      top = p;
      break;
    }
    lastScore = score(p);
  }
  // A container that holds no text beside the winner only wraps it.
  while (mayClimbTo(parent[top] ?? 0) && chars[parent[top] ?? 0] === chars[top]) {
    top = parent[top] ?? 0;
  }
  // A winner inside one of a run of sibling sections (a reference page, a manual): the content
  // is the whole run, not the section whose prose scored best.
  for (let a = top; mayClimbTo(a) && nodes[a]?.tag !== "body"; a = parent[a] ?? 0) {
    if (t.inRun[a] === 1) return { top: a, alone: false, sectioned: true };
  }
  return { top, alone: confined && top === region, sectioned: false };
}

/** The only <article> outside listings, else the only <main>; 0 when there is no such one. */
function semanticRegion(nodes: Scan["nodes"], listing: Uint8Array): number {
  let article = 0;
  let articles = 0;
  let main = 0;
  let mains = 0;
  for (let i = 1; i < nodes.length; i++) {
    const tag = nodes[i]?.tag;
    if (tag === "article" && listing[i] === 0) {
      article = i;
      articles++;
    } else if (tag === "main") {
      main = i;
      mains++;
    }
  }
  if (articles === 1) return article;
  return mains === 1 ? main : 0;
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

/**
 * A loose block beside the winner that belongs with it: Readability's test for a paragraph
 * (long and link-poor, or a sentence), and lists, tables and code that are not link lists.
 */
function isSiblingBlock(b: ScannedBlock): boolean {
  if (b.kind === "heading") return false;
  const density = b.linkChars / b.text.length;
  if (b.kind !== "paragraph" || b.text.length > SHORT_PARAGRAPH) {
    return density < MAX_SIBLING_LINK_DENSITY;
  }
  return density === 0 && /\.( |$)/.test(b.text);
}

function density(t: Tree, i: number): number {
  const chars = t.chars[i] ?? 0;
  return chars === 0 ? 0 : (t.links[i] ?? 0) / chars;
}

function linkDense(b: ScannedBlock): boolean {
  if (b.kind === "code" || b.kind === "heading" || b.text.length === 0) return false;
  if (b.kind === "paragraph" && b.text.length > SHORT_PARAGRAPH) return false;
  return b.linkChars / b.text.length > MAX_LINK_DENSITY;
}

function countCommas(text: string): number {
  COMMAS.lastIndex = 0;
  let count = 0;
  while (COMMAS.exec(text) !== null) count++;
  return count;
}
