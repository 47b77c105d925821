import type { Context } from "hono";

/** The tags of /openapi.json, one per domain, in reading order. */
export const API_TAGS = [
  { name: "system", description: "Health, deployment facts, counts." },
  { name: "auth", description: "Accounts, tokens, API keys." },
  { name: "users", description: "Your account; all users for admins." },
  { name: "projects", description: "Projects and their settings." },
  { name: "urls", description: "Pages and their ingestion status." },
  { name: "chunks", description: "The passages search returns." },
  { name: "search", description: "Search over a project." },
  { name: "shares", description: "Sharing with users by role." },
  { name: "links", description: "Read-only public links." },
  { name: "shared", description: "What a public link opens." },
  { name: "vectorization", description: "Embedding models and status." },
  { name: "webhooks", description: "Signed event deliveries (Standard Webhooks)." },
  { name: "mcp", description: "Model Context Protocol server of a project." },
];

// The reference page runs exactly this build of Scalar: the version is pinned and the browser
// checks the file against its hash (subresource integrity). To upgrade, take the hash of the new
// version's dist/browser/standalone.js from its npm tarball:
//   npm pack @scalar/api-reference@X && tar -xOzf scalar-api-reference-X.tgz \
//     package/dist/browser/standalone.js | openssl dgst -sha384 -binary | base64 -w0
const SCALAR_ORIGIN = "https://cdn.jsdelivr.net";
const SCALAR_PATH = "/npm/@scalar/api-reference@1.76.0/dist/browser/standalone.js";
const SCALAR_INTEGRITY = "sha384-oH1C0RwqcwbVXkC+r8A+4qRoyEUQdtxAzOwumkxZtQBBcsy61FOoPt7B50OVJYYQ";

/** Scripts only from the pinned file, requests only to this API, nothing framed or posted. */
export const DOCS_CSP = [
  "default-src 'none'",
  `script-src ${SCALAR_ORIGIN}${SCALAR_PATH}`,
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

// withDefaultFonts: false keeps the page from loading fonts from Scalar's servers.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Linkbase API reference</title>
</head>
<body>
<script id="api-reference" data-url="/openapi.json" data-configuration='{"withDefaultFonts":false}'></script>
<script src="${SCALAR_ORIGIN}${SCALAR_PATH}" integrity="${SCALAR_INTEGRITY}" crossorigin="anonymous"></script>
</body>
</html>
`;

/** GET /docs: the interactive API reference of /openapi.json. */
export function docsPage(c: Context): Response {
  c.header("Content-Security-Policy", DOCS_CSP);
  return c.html(PAGE);
}
