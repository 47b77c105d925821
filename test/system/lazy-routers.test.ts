import { describe, expect, it } from "vitest";
import { createApi } from "../../src/api";
import { authRouter } from "../../src/auth/router";
import { chunksRouter } from "../../src/chunks/router";
import { projectMcpRouter, sharedMcpRouter } from "../../src/mcp/router";
import { withDocs } from "../../src/openapi";
import { projectsRouter } from "../../src/projects/router";
import { projectSearchRouter, sharedSearchRouter } from "../../src/search/router";
import { sharedRouter, sharesRouter } from "../../src/shares/router";
import { systemRouter } from "../../src/system/router";
import { urlsRouter } from "../../src/urls/router";
import { usersRouter } from "../../src/users/router";
import { projectVectorizationRouter, vectorizationRouter } from "../../src/vectorization/router";
import { webhooksRouter } from "../../src/webhooks/router";
import { call, expectStatus } from "../support/api";

// main.ts loads routers per path prefix at first use; these check it answers as one app with
// every router imported up front would.
describe("routers loaded at first use", () => {
  it("serve the same OpenAPI document as every router mounted up front", async () => {
    const eager = withDocs(
      createApi([
        ["/v1/system", [systemRouter]],
        ["/v1/auth", [authRouter]],
        ["/v1/users", [usersRouter]],
        [
          "/v1/projects",
          [
            projectsRouter,
            sharesRouter,
            urlsRouter,
            chunksRouter,
            projectSearchRouter,
            projectVectorizationRouter,
            webhooksRouter,
            projectMcpRouter,
          ],
        ],
        ["/v1/vectorization", [vectorizationRouter]],
        ["/v1/shared", [sharedRouter, sharedSearchRouter, sharedMcpRouter]],
      ]),
    );
    const expected = await (await eager.request("/openapi.json")).text();
    const served = await call("GET", "/openapi.json");
    expect(served.status).toBe(200);
    // Text, not parsed JSON: path and key order are part of what clients and generators see.
    expect(await served.text()).toBe(expected);
  });

  it("route a percent-encoded path the way Hono's router decodes it", async () => {
    const plain = await expectStatus(await call("GET", "/v1/system/info"), 200);
    const encoded = await expectStatus(await call("GET", "/v1/%73ystem/info"), 200);
    expect(encoded).toEqual(plain);
  });
});
