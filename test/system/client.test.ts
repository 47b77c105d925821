import { exports } from "cloudflare:workers";
import { hc } from "hono/client";
import { expect, it } from "vitest";
import type { AppType } from "../../src/main";
import { seedProject } from "../projects/fixtures";
import { GUIDE, seedDocument } from "../search/seed";
import { createUser } from "../support/factories";

const client = hc<AppType>("http://linkbase.test", {
  fetch: (input: RequestInfo | URL, init?: RequestInit) =>
    exports.default.fetch(new Request(input, init)),
});

it("GET /v1/system/info through the typed hono/client returns typed JSON", async () => {
  const response = await client.v1.system.info.$get();
  expect(response.status).toBe(200);
  if (response.status !== 200) return;
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

it("POST /v1/projects/:id/search through the typed client: typed scores and ranks", async () => {
  const user = await createUser();
  const headers = { Authorization: `Bearer ${user.accessToken}` };
  const { projectId } = await seedProject(user.id);
  await seedDocument(projectId, GUIDE);
  const response = await client.v1.projects[":project_id"].search.$post(
    { param: { project_id: projectId }, json: { query: "rotate API keys", mode: "hybrid" } },
    { headers },
  );
  expect(response.status).toBe(200);
  if (response.status !== 200) return;
  const { results } = await response.json();
  const top = results[0];
  expect(top?.text).toBe(GUIDE.sections[2].text);
  // Typed: a keyword score is `number | null`, a rank `number | null`.
  const keyword: number | null = top?.scores.keyword ?? null;
  const rank: number | null = top?.ranks.semantic ?? null;
  expect(keyword).toBeGreaterThan(0);
  expect(rank).toBe(1);
  expect(top?.scores.fused).toBe(top?.score);
});
