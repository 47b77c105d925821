/**
 * A fast-check generator of hostile HTML: random nesting of known and unknown tags, unclosed
 * and stray closing tags, huge and malformed attributes, comments, entities, lone surrogates
 * and deep nesting.
 */
import fc from "fast-check";

const TAGS = [
  "div",
  "p",
  "span",
  "a",
  "ul",
  "ol",
  "li",
  "table",
  "tr",
  "td",
  "th",
  "pre",
  "code",
  "h1",
  "h3",
  "article",
  "main",
  "section",
  "nav",
  "header",
  "footer",
  "script",
  "style",
  "br",
  "img",
  "x-custom",
  "svg",
  "template",
  "textarea",
  "b",
];

const attribute = fc.oneof(
  fc.constantFrom(
    ' class="comment-body"',
    ' role="main"',
    ' itemprop="articleBody"',
    ' href="javascript:void(0)"',
    ' alt="an image"',
    " hidden",
    ' style="display:none"',
    ' data-x=\'{"a":"<b>x</b>"}\'',
    ' title="unclosed',
    " a=b>c",
  ),
  fc.string({ maxLength: 20 }).map((v) => ` data-v="${v.replace(/"/g, "")}"`),
  fc.integer({ min: 1_000, max: 100_000 }).map((n) => ` data-huge="${"x".repeat(n)}"`),
);

const text = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.constantFrom("&amp;", "&#0;", "&#x110000;", "&bogus;", "&", "\ud800", "<", ">", "<!--", "]]>"),
  fc.constant("Words, and more words, in a sentence long enough to be scored as prose."),
);

/** Any HTML fragment; `depth` bounds the recursion of the tree, not the nesting of open tags. */
export const htmlFragment: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    text,
    fc.constantFrom("</div>", "</li>", "</table>", "</a>", "<li>", "<td>", "<p>", "<!doctype x>"),
    fc
      .tuple(
        fc.constantFrom(...TAGS),
        fc.array(attribute, { maxLength: 3 }),
        fc.array(tie("node"), { maxLength: 5 }),
        fc.boolean(),
      )
      .map(
        ([tag, attrs, children, close]) =>
          `<${tag}${attrs.join("")}>${children.join("")}${close ? `</${tag}>` : ""}`,
      ),
  ),
})).node;

/** Deeply nested open tags (never closed), with text at every level. */
export const deepNesting = fc
  .tuple(
    fc.constantFrom("div", "ul", "li", "table", "a", "section"),
    fc.integer({ min: 1, max: 5000 }),
  )
  .map(([tag, depth]) => `<${tag}>text `.repeat(depth));
