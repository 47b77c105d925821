import { type FetchPageOptions, fetchPage } from "../../src/ingestion/fetcher";

/** Test doubles for the fetcher: workerd tests cannot listen on a port, so pages come from here. */

export type Handler = (request: Request) => Response | Promise<Response>;

/** A fake web: routes exact URLs to handlers and records every request the fetcher made. */
export function fakeWeb(routes: Record<string, Handler>) {
  const requests: Request[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push(request);
    const handler = routes[request.url];
    if (!handler) throw new TypeError(`fake network: no route to ${request.url}`);
    return handler(request);
  };
  return { fetch, requests };
}

export const START = "https://site.example/start";
export const page = (body: BodyInit | null, headers: Record<string, string> = {}, status = 200) =>
  new Response(body, { status, headers });
export const html = (text: string, headers: Record<string, string> = {}) =>
  page(text, { "content-type": "text/html; charset=utf-8", ...headers });
export const redirect = (location: string, status = 302) => page(null, { location }, status);
export const bytes = (...values: number[]) => new Uint8Array(values);
export const ascii = (text: string) => [...text].map((ch) => ch.charCodeAt(0));
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fetches `start` (START by default) from a fake web of `routes`. */
export async function get(
  routes: Record<string, Handler>,
  options: Partial<FetchPageOptions> = {},
  start = START,
) {
  const web = fakeWeb(routes);
  const outcome = await fetchPage(start, {
    fetch: web.fetch,
    timeoutMs: 2000,
    maxBytes: 64 * 1024,
    maxRedirects: 5,
    userAgent: "LinkbaseBot/test (+https://linkbase.local/bot)",
    allowHosts: new Set(),
    ...options,
  });
  return { outcome, requests: web.requests };
}
