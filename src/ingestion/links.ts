import { LINKS_PER_PAGE_MAX } from "../sources/constants";

/**
 * The links of a crawled HTML page, resolved against its final url (or its `<base href>`), in
 * document order, without fragments, at most LINKS_PER_PAGE_MAX. `rel="nofollow"` links and
 * every link of a page whose robots meta says `nofollow` are left out, as a polite crawler does.
 *
 * @example
 * await extractLinks('<a href="/b#top">B</a>', "https://a.example/x"); // ["https://a.example/b"]
 */
export async function extractLinks(html: string, pageUrl: string): Promise<string[]> {
  const hrefs: string[] = [];
  let base = pageUrl;
  let nofollow = false;
  await new HTMLRewriter()
    .on("base[href]", {
      element(element) {
        base = resolve(element.getAttribute("href") ?? "", pageUrl) ?? base;
      },
    })
    .on("meta[name][content]", {
      element(element) {
        const name = element.getAttribute("name")?.toLowerCase();
        const content = element.getAttribute("content")?.toLowerCase() ?? "";
        if ((name === "robots" || name === "linkbasebot") && /\b(nofollow|none)\b/.test(content)) {
          nofollow = true;
        }
      },
    })
    .on("a[href]", {
      element(element) {
        if (hrefs.length >= LINKS_PER_PAGE_MAX) return;
        if (/\bnofollow\b/i.test(element.getAttribute("rel") ?? "")) return;
        hrefs.push(element.getAttribute("href") ?? "");
      },
    })
    .transform(new Response(html))
    .arrayBuffer();
  if (nofollow) return [];
  const links = new Set<string>();
  for (const href of hrefs) {
    const url = resolve(href, base);
    if (url) links.add(url);
  }
  return [...links];
}

function resolve(href: string, base: string): string | null {
  try {
    const url = new URL(href.trim(), base);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    url.hash = "";
    return url.href;
  } catch {
    return null;
  }
}
