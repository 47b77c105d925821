import { describe, expect, it } from "vitest";
import { call, expectStatus } from "../support/api";

type Schemas = Record<string, { properties: Record<string, { description?: string }> }>;

/** Which fields are HTML and which are plain text, as /openapi.json tells a client. */
describe("OpenAPI field semantics", () => {
  it.each([
    ["Url", "title"],
    ["Url", "description"],
    ["Url", "site_name"],
    ["UrlRef", "title"],
    ["Chunk", "text"],
    ["SearchResult", "text"],
  ])("%s.%s is described as plain text that must be escaped", async (schema, field) => {
    const doc = await expectStatus<{ components: { schemas: Schemas } }>(
      await call("GET", "/openapi.json"),
      200,
    );
    const description = doc.components.schemas[schema]?.properties[field]?.description ?? "";
    expect(description).toMatch(/not HTML/);
    expect(description).toMatch(/Escape it/);
  });

  it("SearchResult.highlight is described as HTML with escaped page text", async () => {
    const doc = await expectStatus<{ components: { schemas: Schemas } }>(
      await call("GET", "/openapi.json"),
      200,
    );
    const description = doc.components.schemas.SearchResult?.properties.highlight?.description;
    expect(description).toMatch(/^HTML\b/);
    expect(description).toMatch(/escaped/);
  });
});
