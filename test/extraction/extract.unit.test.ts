import { describe, expect, it } from "vitest";
import { extractHtml, extractPlainText } from "../../src/extraction/service";

const page = (body: string, head = "") =>
  `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;

describe("extractHtml", () => {
  it("takes the title and description from og/meta tags, falling back to <title>", async () => {
    const head = `<title>Plain &amp; Title</title>
      <meta property="og:title" content="OG &amp; Title">
      <meta name="description" content="What it is about.">`;
    const doc = await extractHtml(page("<p>Body text here.</p>", head));
    expect(doc.title).toBe("OG & Title");
    expect(doc.description).toBe("What it is about.");
    const plain = await extractHtml(page("<p>x</p>", "<title> Only  Title </title>"));
    expect(plain.title).toBe("Only Title");
    expect(plain.description).toBeNull();
  });

  it("keeps headings, paragraphs, lists, tables and code as typed blocks", async () => {
    const doc = await extractHtml(
      page(`<h1>Guide</h1><p>First <b>bold</b> para.</p>
        <h2>Steps</h2><ul><li>one</li><li>two <em>too</em></li></ul>
        <table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table>
        <pre><code>let x = 1;
  return x;</code></pre>`),
    );
    expect(doc.blocks).toEqual([
      { kind: "heading", level: 1, text: "Guide" },
      { kind: "paragraph", text: "First bold para." },
      { kind: "heading", level: 2, text: "Steps" },
      { kind: "list", text: "- one\n- two too" },
      { kind: "table", text: "| k | v |\n| --- | --- |\n| a | 1 |" },
      { kind: "code", text: "```\nlet x = 1;\n  return x;\n```" },
    ]);
    expect(doc.text).toBe(doc.blocks.map((b) => b.text).join("\n\n"));
  });

  it("drops scripts, styles, nav, page header and footer, asides, forms and boilerplate classes", async () => {
    const doc = await extractHtml(
      page(`<header>Site header</header><nav><a href="/">Home</a></nav>
        <script>var secret = "script text";</script><style>p { color: red }</style>
        <div class="sidebar">Sidebar text</div><div id="comments">A comment</div>
        <div class="cookie-banner">Accept cookies</div><aside>Aside text</aside>
        <form><label>Email</label><input name="e"></form>
        <p>The real content.</p><footer>Site footer</footer>`),
    );
    expect(doc.text).toBe("The real content.");
  });

  it("drops hidden elements: [hidden], aria-hidden and display:none", async () => {
    const doc = await extractHtml(
      page(`<p>Shown.</p><p hidden>Hidden attr.</p><div aria-hidden="true">Aria hidden.</div>
        <p style="color: red; display: none">Display none.</p><p style="visibility:hidden">Invisible.</p>`),
    );
    expect(doc.text).toBe("Shown.");
  });

  it("decodes entities and collapses whitespace", async () => {
    const doc = await extractHtml(
      page("<p>Fish &amp;\n   chips &lt;3 &eacute;t&#233; &#x2014; &nbsp;ok</p>"),
    );
    expect(doc.text).toBe("Fish & chips <3 été — ok");
  });

  it("prefers the <article> when it holds most of the text, keeping its own header", async () => {
    const filler = "Words of the article body go on for a while. ".repeat(10);
    const doc = await extractHtml(
      page(`<div><p>Promo blurb outside.</p></div>
        <article><header><h1>Story</h1></header><p>${filler}</p></article>
        <div><p>Another outside blurb.</p></div>`),
    );
    expect(doc.blocks.map((b) => b.kind)).toEqual(["heading", "paragraph"]);
    expect(doc.blocks[0]?.text).toBe("Story");
  });

  it("drops link lists such as menus but keeps prose with a few links", async () => {
    const doc = await extractHtml(
      page(`<ul><li><a href="/a">About</a></li><li><a href="/b">Blog</a></li></ul>
        <p>Read <a href="/x">the docs</a> before you start, they explain everything in detail.</p>`),
    );
    expect(doc.text).toBe("Read the docs before you start, they explain everything in detail.");
  });

  it("accepts a Response and a stream as well as a string", async () => {
    const html = page("<p>From a stream.</p>");
    const fromResponse = await extractHtml(new Response(html));
    const fromStream = await extractHtml(new Response(html).body as ReadableStream<Uint8Array>);
    expect(fromResponse.text).toBe("From a stream.");
    expect(fromStream.text).toBe("From a stream.");
  });

  it("reads title and description among unrelated meta tags, in any case", async () => {
    const head = `<meta name="viewport" content="width=device-width">
      <meta property="og:image" content="https://example.com/a.png">
      <meta name="apple-mobile-web-app-title" content="App">
      <meta name="twitter:title" content="Tweet title">
      <meta NAME="Description" content="Mixed case.">`;
    const doc = await extractHtml(page("<p>Body.</p>", head));
    expect(doc.title).toBe("Tweet title");
    expect(doc.description).toBe("Mixed case.");
  });

  it("collapses tabs, newlines and non-breaking spaces but keeps single spaces", async () => {
    const doc = await extractHtml(
      page("<p> one two\tthree\n\nfour\u00a0five &nbsp; </p><p> \n </p>"),
    );
    expect(doc.blocks).toEqual([{ kind: "paragraph", text: "one two three four five" }]);
  });

  it("keeps attributes holding '>' from leaking into the text", async () => {
    const doc = await extractHtml(page(`<div data-x='{"a":"<b>x</b>"}'><p>Clean.</p></div>`));
    expect(doc.text).toBe("Clean.");
  });
});

describe("extractPlainText", () => {
  it("turns Markdown headings, lists, fences and tables into blocks", () => {
    const md =
      "# Guide\n\nIntro line\ncontinues.\n\n## Setup\n\n- one\n- two\n\n```sh\nnpm i\n```\n\n| a | b |\n| - | - |";
    const doc = extractPlainText(md, "text/markdown");
    expect(doc.title).toBe("Guide");
    expect(doc.blocks).toEqual([
      { kind: "heading", level: 1, text: "Guide" },
      { kind: "paragraph", text: "Intro line continues." },
      { kind: "heading", level: 2, text: "Setup" },
      { kind: "list", text: "- one\n- two" },
      { kind: "code", text: "npm i" },
      { kind: "table", text: "| a | b |\n| - | - |" },
    ]);
  });

  it("splits plain text into paragraphs at blank lines and keeps '#' lines as text", () => {
    const doc = extractPlainText("# not a heading\r\n\r\nSecond   para.", "text/plain");
    expect(doc.title).toBeNull();
    expect(doc.blocks).toEqual([
      { kind: "paragraph", text: "# not a heading" },
      { kind: "paragraph", text: "Second para." },
    ]);
  });
});
