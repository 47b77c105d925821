/** The shape of the generated docs site (docs-site.ts) and what sources of it must count. */

export interface DocsSiteShape {
  docs: number;
  blog: number;
}

/** The site the tests serve: 520 article pages, 525 urls in all. */
export const DOCS_SITE_SHAPE: DocsSiteShape = { docs: 300, blog: 200 };

export const MORE = 20;
export const PRIVATE = 10;
export const TAGS = 5;
export const BASE_TIME = Date.UTC(2026, 0, 1);

/**
 * What a sitemap source and a crawl source of the site must count (exclude `/tags/**`): the
 * tests and the benchmark check these exact figures.
 */
export function expectedCounts({ docs, blog }: DocsSiteShape) {
  const pages = docs + blog + MORE;
  return {
    sitemap: {
      // pages + /docs/dup + /old/1 + /missing − the two duplicates
      ready: pages,
      failed: 1,
      skipped_robots: PRIVATE,
      skipped_pattern: TAGS,
      skipped_duplicate: 2,
      discovered: pages + 3 + PRIVATE + TAGS,
    },
    crawl: {
      // pages + home + 3 section indexes
      ready: pages + 4,
      failed: 1,
      // `/private/` (the home page links it) and its pages
      skipped_robots: PRIVATE + 1,
      skipped_pattern: TAGS,
      skipped_duplicate: 2,
      discovered: pages + 4 + 1 + 2 + PRIVATE + 1 + TAGS,
    },
  };
}
