import { exports } from "cloudflare:workers";
import createClient from "openapi-fetch";
import { expect, inject, it } from "vitest";
import type { paths } from "../generated/api";
import servedWhenGenerated from "../generated/openapi.json";
import { call, expectStatus, freshIp } from "../support/api";
import { uniqueEmail } from "../support/factories";

// The client a user would generate: openapi-typescript types of /openapi.json (scripts/openapi.ts,
// run before the tests) and openapi-fetch. Every call below is type-checked against them.
const client = createClient<paths>({
  baseUrl: "http://linkbase.test",
  fetch: (request) => exports.default.fetch(request),
  headers: { "CF-Connecting-IP": freshIp() },
});

it("was generated from the document the API serves now", async () => {
  const served = await expectStatus(await call("GET", "/openapi.json"), 200);
  expect(served).toEqual(servedWhenGenerated);
});

it("runs the main flow: register, project, url, ready, search, public link, link search", async () => {
  const registered = await client.POST("/v1/auth/register", {
    body: { email: uniqueEmail(), password: "correct horse battery", name: "Gen" },
  });
  expect(registered.response.status).toBe(201);
  if (!registered.data) return expect.fail(JSON.stringify(registered.error));
  const auth = { Authorization: `Bearer ${registered.data.access_token}` };

  const created = await client.POST("/v1/projects", {
    headers: auth,
    body: { name: "Generated client" },
  });
  if (!created.data) return expect.fail(JSON.stringify(created.error));
  const project_id = created.data.id;
  expect(created.data.role).toBe("owner");

  const added = await client.POST("/v1/projects/{project_id}/urls", {
    headers: auth,
    params: { path: { project_id } },
    body: { url: `${inject("testSiteUrl")}/article` },
  });
  expect(added.response.status).toBe(202);
  const url_id = added.data?.items[0]?.id;
  if (!url_id) return expect.fail(JSON.stringify(added.error));

  const deadline = Date.now() + 20_000;
  let status: string | undefined;
  while (Date.now() < deadline) {
    const url = await client.GET("/v1/projects/{project_id}/urls/{url_id}", {
      headers: auth,
      params: { path: { project_id, url_id } },
    });
    status = url.data?.status;
    if (status === "ready" || status === "failed") break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(status).toBe("ready");

  const query = { query: "which soil acidity keeps calcium available", top_k: 3 } as const;
  const found = await client.POST("/v1/projects/{project_id}/search", {
    headers: auth,
    params: { path: { project_id } },
    body: query,
  });
  if (!found.data) return expect.fail(JSON.stringify(found.error));
  expect(found.data.results[0]?.text).toContain("pH 6.2");
  expect(found.data.results[0]?.url.id).toBe(url_id);

  const link = await client.POST("/v1/projects/{project_id}/links", {
    headers: auth,
    params: { path: { project_id } },
    body: {},
  });
  if (!link.data) return expect.fail(JSON.stringify(link.error));

  const shared = await client.POST("/v1/shared/{token}/search", {
    params: { path: { token: link.data.token } },
    body: query,
  });
  if (!shared.data) return expect.fail(JSON.stringify(shared.error));
  expect(shared.data.results.map((result) => result.chunk_id)).toEqual(
    found.data.results.map((result) => result.chunk_id),
  );

  // A problem comes back typed too.
  const missing = await client.GET("/v1/shared/{token}", {
    params: { path: { token: "lbp_not-a-link" } },
  });
  expect(missing.response.status).toBe(404);
  expect(missing.error?.code).toBe("SHARED_LINK_NOT_FOUND");
});
