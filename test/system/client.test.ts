import { exports } from "cloudflare:workers";
import { hc } from "hono/client";
import { expect, it } from "vitest";
import type { AppType } from "../../src/main";
import { createUser } from "../support/factories";

const client = hc<AppType>("http://linkbase.test", {
  fetch: (input: RequestInfo | URL, init?: RequestInit) =>
    exports.default.fetch(new Request(input, init)),
});

it("GET /v1/system/info through the typed hono/client returns typed JSON", async () => {
  const response = await client.v1.system.info.$get();
  expect(response.status).toBe(200);
  const info = await response.json();
  expect(info.embedding.dimensions).toBe(384);
});

it("POST /v1/projects through the typed client carries typed input and output", async () => {
  const user = await createUser();
  const response = await client.v1.projects.$post(
    { json: { name: "Typed" } },
    { headers: { Authorization: `Bearer ${user.accessToken}` } },
  );
  expect(response.status).toBe(201);
  if (response.status !== 201) return;
  const project = await response.json();
  expect(project.name).toBe("Typed");
  expect(project.role).toBe("owner");
});
