// S3 answers in a small, fixed XML vocabulary without attributes on the elements read here, so
// two functions cover it; an XML library was a tenth of the Worker bundle for this.

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[\da-f]+|#\d+|\w+);/gi, (entity, name: string) => {
    if (name[0] === "#") {
      const code =
        name[1] === "x" || name[1] === "X"
          ? Number.parseInt(name.slice(2), 16)
          : Number(name.slice(1));
      return String.fromCodePoint(code);
    }
    return ENTITIES[name] ?? entity;
  });
}

/** Escapes text for an XML element body. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => `&${Object.keys(ENTITIES).find((name) => ENTITIES[name] === ch)};`,
  );
}

/**
 * The unescaped contents of every `<name>…</name>` in `xml`, in document order. Not for
 * elements that nest inside themselves (S3's never do).
 *
 * @example
 * xmlElements("<a><Key>x&amp;y</Key></a>", "Key") // ["x&y"]
 */
export function xmlElements(xml: string, name: string): string[] {
  const pattern = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`, "g");
  return [...xml.matchAll(pattern)].map((match) => unescapeXml(match[1] ?? ""));
}
