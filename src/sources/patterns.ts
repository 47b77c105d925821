/**
 * Include/exclude patterns of a source: globs over a url's path (with `?query` when it has one).
 * `*` matches any run of characters but `/`, `**` any run including `/`; every other character
 * matches itself. A pattern that does not start with `/` may match at any depth (`*.pdf` is
 * `**​/*.pdf`), so `*` alone matches every url.
 *
 * Matching is a dynamic programme over the path's positions: O(path × pattern) whatever the
 * pattern, with no backtracking for a crafted glob to blow up.
 */

type Token = "**" | "*" | string;

function tokens(pattern: string): Token[] {
  const glob = pattern.startsWith("/") ? pattern : `**/${pattern}`;
  const out: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] === "*" && glob[i + 1] === "*") {
      out.push("**");
      i++;
    } else out.push(glob[i] as string);
  }
  return out;
}

/**
 * Whether `path` matches the glob `pattern`.
 *
 * @example
 * matchesGlob("/docs/**", "/docs/guide/install"); // true
 * matchesGlob("/docs/*", "/docs/guide/install"); // false
 * matchesGlob("*.pdf", "/files/report.pdf"); // true
 */
export function matchesGlob(pattern: string, path: string): boolean {
  const n = path.length;
  let reach = new Array<boolean>(n + 1).fill(false);
  reach[0] = true;
  for (const token of tokens(pattern)) {
    const next = new Array<boolean>(n + 1).fill(false);
    if (token === "**") {
      let seen = false;
      for (let i = 0; i <= n; i++) {
        seen ||= reach[i] as boolean;
        next[i] = seen;
      }
    } else if (token === "*") {
      for (let i = 0; i <= n; i++) {
        next[i] =
          (reach[i] as boolean) || (i > 0 && (next[i - 1] as boolean) && path[i - 1] !== "/");
      }
    } else {
      for (let i = 1; i <= n; i++) next[i] = (reach[i - 1] as boolean) && path[i - 1] === token;
    }
    reach = next;
  }
  return reach[n] as boolean;
}

/**
 * Whether a url is inside a source's patterns: it matches one of `include` (when any is given)
 * and none of `exclude`.
 *
 * @example
 * inPatterns("https://a.example/docs/x?v=2", ["/docs/**"], ["**?v=*"]); // false
 */
export function inPatterns(
  url: string,
  include: readonly string[],
  exclude: readonly string[],
): boolean {
  const { pathname, search } = new URL(url);
  const path = pathname + search;
  if (include.length > 0 && !include.some((pattern) => matchesGlob(pattern, path))) return false;
  return !exclude.some((pattern) => matchesGlob(pattern, path));
}
