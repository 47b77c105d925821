import { describe, expect, it } from "vitest";
import { decodeEntities } from "../../src/extraction/entities";

describe("decodeEntities", () => {
  it.each([
    ["Caf&eacute; &amp; cr&#xE8;me", "Café & crème"],
    ["&ldquo;quoted&rdquo; &mdash; &hellip;", "“quoted” — …"],
    ["&lt;b&gt; &quot;x&quot; &apos;y&apos;", `<b> "x" 'y'`],
    ["a&nbsp;b", "a\u00a0b"],
    ["&Alpha;&alpha;&Omega;&omega;&sigmaf;", "ΑαΩως"],
    ["&euro;5 &copy; &trade; &rarr;", "€5 © ™ →"],
    ["&#8220;&#x201D;", "“”"],
    ["&#150; &#128;", "– €"],
    ["&#0; &#xD800; &#x110000;", "\ufffd \ufffd \ufffd"],
    ["&amp without semicolon", "& without semicolon"],
    ["&unknownname; & alone", "&unknownname; & alone"],
    ["no references", "no references"],
  ])("decodes %j", (input, expected) => {
    expect(decodeEntities(input)).toBe(expected);
  });
});
