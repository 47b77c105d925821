/**
 * The HTMLRewriter half of extraction: lol-html drops boilerplate natively and renames marked
 * main-content containers, so JavaScript never runs per text node (a text callback per node
 * runs at a few MiB/s in workerd; native removal plus one linear pass runs at tens of MiB/s).
 */
import { MAX_JSON_LD_CHARS, type PageMeta } from "./metadata";

/**
 * Elements that never carry readable text, or are boilerplate by their very tag. Void elements
 * such as `<input>` hold no text, so removing them would only cost a handler call each.
 */
const DROP_ALWAYS = [
  "script",
  "style",
  "noscript",
  "template",
  "svg",
  "math annotation",
  "nav",
  "aside",
  "form",
  "button",
  "select",
  "textarea",
  "iframe",
  "object",
  "embed",
  "video",
  "audio",
  "canvas",
  "dialog",
  "[hidden]",
  '[aria-hidden="true"]',
  '[role="navigation"]',
  '[role="complementary"]',
  '[style*="display:none"]',
  '[style*="display: none"]',
  '[style*="visibility:hidden"]',
  '[style*="visibility: hidden"]',
].join(", ");

/**
 * Class fragments that mark boilerplate, matched as substrings by lol-html. Every selector costs
 * matching time on every element, so the list holds only words that paid off in F1 on the bench
 * pages; words such as "menu", "modal" or "banner" also named content wrappers there.
 */
const BOILERPLATE_CLASS = [
  "comment",
  "sidebar",
  "cookie",
  "share",
  "related",
  "newsletter",
  "footer",
  "pagination",
];
const BOILERPLATE_ID = ["comment", "sidebar", "footer"];
/** Whole class tokens (`~=`) too short to match as substrings. */
const BOILERPLATE_TOKENS = ["hidden"];

const BOILERPLATE = [
  ...BOILERPLATE_CLASS.map((w) => `[class*="${w}" i]`),
  ...BOILERPLATE_ID.map((w) => `[id*="${w}" i]`),
  ...BOILERPLATE_TOKENS.map((w) => `[class~="${w}" i]`),
].join(", ");

/**
 * A boilerplate-looking class or id is forgiven when it also names the content, as in
 * `post-content has-comments` or `article-body share-enabled` (Readability's rule, roughly).
 */
const CONTENT_HINT = /article|body|content|main|entry|story|post-text|column|shadow/i;
const NEVER_DROP = new Set(["html", "body", "main", "article"]);

/**
 * Only the meta tags that can hold metadata we keep: each handler call into JavaScript costs
 * microseconds, and pages carry dozens of other `<meta content>` tags (viewport, og:image…).
 */
const META_TAGS = [
  ...["property", "name"].flatMap((attr) => [
    `meta[${attr}$="title" i]`,
    `meta[${attr}$="description" i]`,
    `meta[${attr}="og:site_name" i]`,
    `meta[${attr}="og:locale" i]`,
    `meta[${attr}="article:published_time" i]`,
  ]),
  'meta[itemprop="datePublished"]',
  'meta[http-equiv="content-language" i]',
].join(", ");

/** Separates JSON-LD scripts in {@link PageMeta.jsonLd}. */
const JSON_LD_SEPARATOR = "\u0000";

const UNLINK = [
  'a[href^="javascript:" i]',
  ...[1, 2, 3, 4, 5, 6].map((level) => `h${level} a[href^="#"]`),
].join(", ");

/**
 * Builds a rewriter that removes boilerplate, renames `[role=main]`/`articleBody` containers
 * to `<main>` and collects the page's metadata into `meta` as the stream is read.
 *
 * @example
 * const meta = emptyMeta();
 * const html = await buildRewriter(meta).transform(new Response(page)).text();
 */
export function buildRewriter(meta: PageMeta): HTMLRewriter {
  // Header and footer elements inside an article are usually its title and byline, not site
  // chrome, so only those outside any article/main are dropped.
  let articleDepth = 0;
  const enterRegion = (el: Element) => {
    try {
      el.onEndTag(() => {
        articleDepth--;
      });
    } catch {
      return; // self-closing `<article/>`: lol-html has no end tag to hook, and no content
    }
    articleDepth++;
    // The block scanner sees tag names only: a div marked as the main content becomes <main>.
    if (el.tagName === "div" || el.tagName === "section") el.tagName = "main";
  };
  let titleText = "";
  return (
    new HTMLRewriter()
      .on("title", {
        text(t) {
          titleText += t.text;
          if (t.lastInTextNode && meta.title === null) meta.title = titleText;
        },
      })
      .on(META_TAGS, {
        element(el) {
          const key = (
            el.getAttribute("property") ??
            el.getAttribute("name") ??
            el.getAttribute("itemprop") ??
            el.getAttribute("http-equiv") ??
            ""
          ).toLowerCase();
          const content = el.getAttribute("content");
          if (key === "og:title" || key === "twitter:title") meta.ogTitle ??= content;
          else if (key === "description") meta.description ??= content;
          else if (key === "og:description" || key === "twitter:description")
            meta.ogDescription ??= content;
          else if (key === "og:site_name") meta.siteName ??= content;
          else if (key === "article:published_time" || key === "datepublished")
            meta.published ??= content;
          else if (key === "content-language" || key === "og:locale") meta.metaLang ??= content;
        },
      })
      .on("html[lang]", {
        element(el) {
          meta.lang ??= el.getAttribute("lang");
        },
      })
      .on('script[type="application/ld+json" i]', {
        element() {
          if (meta.jsonLd !== "") meta.jsonLd += JSON_LD_SEPARATOR;
        },
        text(t) {
          if (meta.jsonLd.length + t.text.length <= MAX_JSON_LD_CHARS) meta.jsonLd += t.text;
        },
      })
      // A javascript: link is a script hook, not a link: its text is page text (Readability's
      // rule). So is a heading's link to itself (`<h2><a href="#setup">Setup</a></h2>`): a
      // permalink, which must not make a documentation section look like a teaser card.
      .on(UNLINK, {
        element(el) {
          el.removeAndKeepContent();
        },
      })
      .on("head", { element: removeElement })
      .on(DROP_ALWAYS, { element: removeElement })
      .on("header, footer", {
        element(el) {
          if (articleDepth === 0) el.remove();
        },
      })
      .on(BOILERPLATE, {
        element(el) {
          if (NEVER_DROP.has(el.tagName)) return;
          const names = `${el.getAttribute("class") ?? ""} ${el.getAttribute("id") ?? ""}`;
          if (!CONTENT_HINT.test(names)) el.remove();
        },
      })
      .on('main, article, [role="main"], [itemprop="articleBody"]', { element: enterRegion })
  );
}

function removeElement(el: Element): void {
  el.remove();
}
