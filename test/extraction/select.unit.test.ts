/**
 * Synthetic pages for the failure patterns seen on pages the extractor was not tuned on: each
 * states the structure in a few lines, so the rule it checks is visible.
 */
import { describe, expect, it } from "vitest";
import { extractHtml } from "../../src/extraction/service";

const page = (body: string, head = "") =>
  `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;

/** Prose with commas and sentence ends, `n` paragraphs of about 300 characters each. */
function prose(topic: string, n: number): string {
  return Array.from(
    { length: n },
    (_, i) =>
      `<p>The ${topic} study, part ${i + 1}, measured growth over a season, compared the plots week by week, and found that careful watering, shade in the afternoon, and rich soil mattered more than the seed itself. Each finding was checked twice, written down, and shared with the other growers in the valley.</p>`,
  ).join("\n");
}

function teaser(i: number): string {
  return `<article><h3><a href="/story/${i}">Teaser headline number ${i}</a></h3>
    <p>A short summary of another story, ${i}, to tempt the reader.</p></article>`;
}

function navList(n: number, word = "Section"): string {
  const items = Array.from({ length: n }, (_, i) => `<li><a href="/s/${i}">${word} ${i}</a></li>`);
  return `<ul>${items.join("")}</ul>`;
}

describe("main-content selection on unseen structures", () => {
  it("keeps the main text of an element that also holds nested <article> teasers", async () => {
    const doc = await extractHtml(
      page(`<div class="wrap"><div class="story"><h1>Soil study</h1>${prose("soil", 3)}</div>
        <div class="more">${teaser(1)}${teaser(2)}${teaser(3)}${teaser(4)}</div></div>`),
    );
    expect(doc.text).toContain("The soil study, part 1");
    expect(doc.text).toContain("The soil study, part 3");
    expect(doc.text).not.toContain("Teaser headline");
    expect(doc.text).not.toContain("tempt the reader");
  });

  it("keeps the main text when the teasers are <article>s nested in the main <article>", async () => {
    const doc = await extractHtml(
      page(`<article><h1>Water study</h1>${prose("water", 2)}
        <section>${teaser(1)}${teaser(2)}${teaser(3)}</section></article>`),
    );
    expect(doc.text).toContain("The water study, part 2");
    expect(doc.text).not.toContain("Teaser headline");
  });

  it("keeps paragraphs wrapped in a link, javascript: links included", async () => {
    const doc = await extractHtml(
      page(`<div>${navList(8)}</div>
        <div class="post"><a href="javascript:void(0)" onclick="expand()">${prose("light", 2)}</a>
        <a href="/full-story"><p>The light study closes with a long paragraph, linked as a whole, that says what the growers will try next spring, and why.</p></a>
        <p>Read <a href="javascript:share()">more about light and plants</a> in the appendix, which lists every plot.</p></div>`),
    );
    expect(doc.text).toContain("The light study, part 1");
    expect(doc.text).toContain("The light study, part 2");
    expect(doc.text).toContain("linked as a whole");
    expect(doc.text).toContain("more about light and plants");
    expect(doc.text).not.toContain("Section 3");
  });

  it("drops navigation, related lists and comment widgets around a short article", async () => {
    const related = Array.from(
      { length: 12 },
      (_, i) => `<li><a href="/r/${i}">Related story ${i} with a longer linked title</a></li>`,
    ).join("");
    const comments = Array.from(
      { length: 6 },
      (_, i) =>
        `<div class="c"><a href="/u/${i}">user${i}</a> <span>2h</span><div><a href="#r">Reply</a> <a href="#l">Like</a></div></div>`,
    ).join("");
    const doc = await extractHtml(
      page(`<div class="top">${navList(30, "Topic")}</div>
        <div class="layout"><div class="col">${navList(20, "Archive")}</div>
        <div class="main-col"><h1>Frost</h1>${prose("frost", 2)}</div>
        <div class="col"><h4>Related</h4><ul>${related}</ul></div></div>
        <div class="talk">${comments}</div>`),
    );
    expect(doc.text).toContain("The frost study, part 2");
    for (const noise of ["Topic 1", "Archive 1", "Related story", "user1", "Reply"]) {
      expect(doc.text).not.toContain(noise);
    }
  });

  it("drops boilerplate that is neither link-dense nor marked, when no <article> says where content is", async () => {
    const mostRead = Array.from(
      { length: 8 },
      (_, i) =>
        `<div><a href="/m/${i}">Most read headline ${i}</a> <span>3 hours ago, by staff</span></div>`,
    ).join("");
    const doc = await extractHtml(
      page(`<div class="bar"><div>Weather: 12°C, light rain in the city today</div>
        <div>Markets: stocks closed higher on Tuesday evening</div></div>
        <div class="layout"><div class="col-a"><h1>Hail</h1>${prose("hail", 2)}</div>
        <div class="col-b"><h4>Most read</h4>${mostRead}</div></div>
        <div class="legal"><p>All rights reserved. Reproduction without permission is prohibited.</p></div>`),
    );
    expect(doc.text).toContain("The hail study, part 2");
    for (const noise of ["Weather", "Markets", "Most read", "3 hours ago", "All rights reserved"]) {
      expect(doc.text).not.toContain(noise);
    }
  });

  it("keeps all of a long reference page split into sibling sections with link-rich prose", async () => {
    const sections = Array.from(
      { length: 12 },
      (_, i) => `<section><h2>Part ${i}</h2>
        <p>Term ${i} is defined in <a href="/a${i}">the first standard</a>, refined by <a href="/b${i}">a later note</a>, and used throughout.</p>
        <ul><li>Property ${i}a holds for every input.</li><li>Property ${i}b holds when the input is sorted.</li></ul>
        <table><tr><th>Case</th><th>Cost</th></tr><tr><td>best ${i}</td><td>linear</td></tr></table></section>`,
    ).join("");
    const doc = await extractHtml(page(`<main><h1>Reference</h1>${sections}</main>`));
    for (let i = 0; i < 12; i++) {
      expect(doc.text).toContain(`Term ${i} is defined in the first standard`);
      expect(doc.text).toContain(`Property ${i}b holds`);
      expect(doc.text).toContain(`| best ${i} | linear |`);
    }
    expect(doc.blocks.filter((b) => b.kind === "heading").map((b) => b.text)).toContain("Part 11");
  });
});

describe("section fronts, boxes inside the content, and reader comments", () => {
  /** A card of a section front: a picture credit, a linked headline, a summary, a byline. */
  const card = (
    i: number,
  ) => `<li><article><figure><figcaption>Credit Studio ${i}</figcaption></figure>
    <div><h3><a href="/story/${i}">Headline ${i}</a></h3>
    <p>Summary ${i}: the growers met again this week, compared their notes on frost, shade and water, and agreed on what to plant next, field by field.</p>
    <p>By Writer ${i}</p></div></article></li>`;

  it("keeps every card of a section front whose cards are <article>s in lists, and their headlines", async () => {
    const sections = [0, 1, 2]
      .map(
        (s) =>
          `<section><h2>Desk ${s}</h2><ol>${[0, 1, 2].map((c) => card(s * 3 + c)).join("")}</ol></section>`,
      )
      .join("");
    const doc = await extractHtml(
      page(`<main><div>${sections}</div></main>
        <div><p>Subscribe today for unlimited access to every desk, from one dollar a week.</p></div>`),
    );
    for (let i = 0; i < 9; i++) {
      expect(doc.text).toContain(`Summary ${i}: the growers met again`);
      expect(doc.blocks).toContainEqual({ kind: "heading", level: 3, text: `Headline ${i}` });
    }
    expect(doc.text).not.toContain("Subscribe today");
  });

  it("drops a short link-heavy box inside the article, and keeps prose that has a few links", async () => {
    const doc = await extractHtml(
      page(`<article><h1>Orchards</h1>${prose("orchard", 3)}
        <div><p>Read next: <a href="/n/1">How growers in the north saved their orchards from an early frost</a> and <a href="/n/2">why it matters</a></p></div>
        <div><p>The orchard survey is kept by <a href="/team">the valley team</a>, who walk every row in spring, count the blossoms, note the frost damage, and publish the counts, row by row, for anyone to check.</p></div>
      </article>`),
    );
    expect(doc.text).toContain("The orchard study, part 3");
    expect(doc.text).toContain("who walk every row in spring");
    expect(doc.text).not.toContain("Read next");
    expect(doc.text).not.toContain("saved their orchards");
  });

  it("keeps a short article and not the longer run of reader comments beside it", async () => {
    const comments = Array.from(
      { length: 12 },
      (_, i) =>
        `<div class="c-item"><div class="meta"><a href="/u/${i}">reader${i}</a> <time>${i}h ago</time></div>
        <p>I tried this in my own garden, comment ${i}, and honestly, the shade made a difference, but the soil mattered less than you say.</p>
        <div><a href="#r${i}">Reply</a> <a href="#l${i}">Like</a></div></div>`,
    ).join("");
    const article = `<h1>Frost</h1>${prose("frost", 2)}`;
    const doc = await extractHtml(
      page(`<div class="page"><article>${article}</article>
        <div class="c-list"><h3>12 responses</h3>${comments}</div></div>`),
    );
    expect(doc.text).toContain("The frost study, part 1");
    expect(doc.text).toContain("The frost study, part 2");
    expect(doc.text).not.toContain("in my own garden");
    expect(doc.text).not.toContain("12 responses");
    // Precision: what is kept is the article, give or take its title.
    expect(doc.text.length).toBeLessThan(1.1 * (await extractHtml(page(article))).text.length);
  });
});

describe("long reference pages", () => {
  const term = (i: number, k: number) =>
    `<p>Term ${i}.${k} is defined in <a href="/a${i}">the first standard</a>, refined by a later note, and used throughout the library, in every module that parses input.</p>`;
  /** Sections with one short paragraph and mostly lists, tables and code; part 3 has more prose. */
  const reference = (extra: number) =>
    Array.from(
      { length: 12 },
      (_, i) => `<section><h2>Part ${i}</h2><div><div>${term(i, 0)}${
        i === 3 ? Array.from({ length: extra }, (_, k) => term(i, k + 1)).join("") : ""
      }</div>
      <ul><li>Property ${i}a holds for every input.</li><li>Property ${i}b holds when the input is sorted.</li></ul>
      <table><tr><th>Case</th><th>Cost</th></tr><tr><td>best ${i}</td><td>linear</td></tr></table>
      <pre>call(${i})</pre></div></section>`,
    ).join("");
  const toc = `<div>${navList(40, "Contents entry")}</div>`;

  it("keeps every section, with its lists, tables and code, when one section has most of the prose", async () => {
    const doc = await extractHtml(
      page(`<div>${toc}${reference(6)}</div>
        <div><p>Terms of use of this reference site, and who to write to about it.</p></div>`),
    );
    for (let i = 0; i < 12; i++) {
      expect(doc.text).toContain(`Term ${i}.0 is defined`);
      expect(doc.text).toContain(`- Property ${i}b holds when the input is sorted.`);
      expect(doc.text).toContain(`| best ${i} | linear |`);
      expect(doc.text).toContain(`call(${i})`);
      expect(doc.blocks).toContainEqual({ kind: "heading", level: 2, text: `Part ${i}` });
    }
    expect(doc.text).not.toContain("Contents entry");
    expect(doc.text).not.toContain("Terms of use");
  });

  it("keeps the lists, tables and code beside the winning prose when no run of sections holds it", async () => {
    const doc = await extractHtml(page(`<div>${toc}${reference(40)}</div>`));
    expect(doc.text).toContain("Term 3.40 is defined");
    expect(doc.text).toContain("- Property 3b holds when the input is sorted.");
    expect(doc.text).toContain("| best 3 | linear |");
    expect(doc.text).toContain("call(3)");
    expect(doc.text).not.toContain("Contents entry");
  });

  it("does not take boxes opened by headings for sections of a story that holds most of the text", async () => {
    const box = (i: number) =>
      `<div><h2>More from the desk ${i}</h2><p>Box ${i}: a short note on another story, with a photo, a date, and a summary of what it covers.</p></div>`;
    const doc = await extractHtml(
      page(`<div><div><h2>Frost</h2>${prose("frost", 4)}</div>${box(1)}${box(2)}</div>`),
    );
    expect(doc.text).toContain("The frost study, part 4");
    expect(doc.text).not.toContain("Box 1");
    expect(doc.text).not.toContain("More from the desk");
  });
});

describe("never silently empty", () => {
  it("records the selection path with the share of the page it kept", async () => {
    const doc = await extractHtml(page(`${navList(5)}<article>${prose("rain", 3)}</article>`));
    expect(doc.extraction.method).toBe("content");
    expect(doc.extraction.textChars).toBe(doc.text.length);
    expect(doc.extraction.ratio).toBeGreaterThan(0.5);
    expect(doc.extraction.ratio).toBeLessThanOrEqual(1);
  });

  it("falls back to the whole page when selection keeps too little of it", async () => {
    const facts = Array.from({ length: 150 }, (_, i) => `<li>Fact ${i}: seeds keep</li>`).join("");
    const doc = await extractHtml(
      page(`<div><p>A short introduction to the facts below, in one line.</p></div>
        <div><ul>${facts}</ul></div>`),
    );
    expect(doc.extraction.method).toBe("fallback");
    expect(doc.text).toContain("Fact 149: seeds keep");
    expect(doc.text).toContain("A short introduction");
  });

  it("reports `none` for a page without text", async () => {
    const doc = await extractHtml(page(`<nav><a href="/">Home</a></nav><script>x()</script>`));
    expect(doc.extraction).toEqual({ method: "none", textChars: 0, ratio: 0 });
    expect(doc.text).toBe("");
  });
});

describe("structure and metadata", () => {
  it("renders nested lists, table rows, fenced code and image alt text as Markdown-like text", async () => {
    const doc = await extractHtml(
      page(`<h2>Kit</h2><ul><li>tools<ul><li>spade</li><li>rake</li></ul></li><li>seeds</li></ul>
        <table><tr><th>Plant</th><th>Month</th></tr><tr><td>Bean</td><td>May</td></tr></table>
        <pre>sow --depth 2</pre>
        <p>The bed <img src="b.png" alt="a raised bed of beans"> in May.</p>`),
    );
    expect(doc.blocks).toEqual([
      { kind: "heading", level: 2, text: "Kit" },
      { kind: "list", text: "- tools\n  - spade\n  - rake\n- seeds" },
      { kind: "table", text: "| Plant | Month |\n| --- | --- |\n| Bean | May |" },
      { kind: "code", text: "```\nsow --depth 2\n```" },
      { kind: "paragraph", text: "The bed ![a raised bed of beans] in May." },
    ]);
  });

  it("reads title, description, language, publication time and site name", async () => {
    const ld = JSON.stringify({
      "@context": "https://schema.org",
      "@graph": [
        { "@type": "WebSite", name: "Ignored" },
        {
          "@type": "NewsArticle",
          headline: "LD headline",
          datePublished: "2024-03-05T10:00:00+01:00",
          publisher: { "@type": "Organization", name: "Garden Weekly" },
        },
      ],
    });
    const head = `<title>Tab title</title><meta name="description" content="About beans.">
      <script type="application/ld+json">${ld}</script>`;
    const html = `<!doctype html><html lang="en_GB"><head>${head}</head><body><p>Body.</p></body></html>`;
    const doc = await extractHtml(html);
    expect(doc).toMatchObject({
      title: "LD headline",
      description: "About beans.",
      language: "en-GB",
      publishedAt: "2024-03-05T09:00:00.000Z",
      siteName: "Garden Weekly",
    });
    const og = await extractHtml(
      page(
        "<p>Body.</p>",
        `<meta property="og:site_name" content="Site &amp; Co">
         <meta property="article:published_time" content="not a date">
         <meta http-equiv="Content-Language" content="pt-BR">`,
      ),
    );
    expect(og).toMatchObject({ siteName: "Site & Co", publishedAt: null, language: "pt-BR" });
  });

  it("ignores broken JSON-LD", async () => {
    const doc = await extractHtml(
      page("<p>Body.</p>", `<script type="application/ld+json">{"@type": "Article",</script>`),
    );
    expect(doc.publishedAt).toBeNull();
    expect(doc.text).toBe("Body.");
  });
});

describe("documentation pages", () => {
  it("keeps short sections whose headings link to themselves", async () => {
    const sections = Array.from(
      { length: 8 },
      (_, i) => `<section><h2><a href="#part-${i}">Part ${i}</a></h2>
        <p>Step ${i} explains one option, what it does, and when to use it instead of the default.</p></section>`,
    ).join("");
    const doc = await extractHtml(page(`<main><h1>Options</h1>${sections}</main>`));
    for (let i = 0; i < 8; i++) {
      expect(doc.text).toContain(`Step ${i} explains one option`);
      expect(doc.blocks).toContainEqual({ kind: "heading", level: 2, text: `Part ${i}` });
    }
  });
});
