import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sql } from "../../src/database";
import { query, seedProject, seedUrls } from "../projects/fixtures";
import { call, expectNoInternals, expectStatus } from "../support/api";
import { createUser, type TestUser } from "../support/factories";

interface Operation {
  method: string;
  path: string;
}

const RUNS_PER_OPERATION = 25;

/** Strings that have broken APIs before: injection, encodings, control characters, sizes. */
const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(
    "' OR '1'='1' --",
    "'; drop table users; --",
    "\u0000",
    "a\u0000b",
    "\ud800",
    "%00",
    "../../../etc/passwd",
    "__proto__",
    "constructor",
    '{"$gt": ""}',
    "<script>alert(1)</script>",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose.
    "${7*7}",
    "\u202e\u0301\ufeff",
    "x".repeat(5000),
    "-1",
    "1e309",
    "NaN",
    "null",
  ),
);

const nastyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    nastyString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(nastyString, fc.constantFrom("__proto__", "constructor", "prototype")),
      tie("value"),
      { maxKeys: 4 },
    ),
  ),
})).value;

/** Bodies: random JSON, objects with the contract's field names and nasty values, raw garbage. */
const nastyBody = fc.oneof(
  nastyValue.map((value) => JSON.stringify(value) ?? "null"),
  fc
    .record(
      {
        name: nastyValue,
        email: nastyValue,
        password: nastyValue,
        url: nastyValue,
        urls: nastyValue,
        query: nastyValue,
        role: nastyValue,
        settings: nastyValue,
        expires_at: nastyValue,
        refresh_token: nastyValue,
        top_k: nastyValue,
        mode: nastyValue,
      },
      { requiredKeys: [] },
    )
    .map((body) => JSON.stringify(body)),
  fc.constantFrom(
    "",
    "{",
    "[".repeat(5000) + "]".repeat(5000),
    '{"__proto__": {"role": "admin"}}',
    '{"constructor": {"prototype": {"role": "admin"}}}',
    "\u0000",
  ),
);

function fingerprint() {
  return query<Record<string, string>>(
    sql`select (select count(*) from users) as users,
               (select max(updated_at)::text from users) as users_updated,
               (select count(*) from projects) as projects,
               (select max(updated_at)::text from projects) as projects_updated,
               (select count(*) from project_shares) as shares,
               (select count(*) from project_links) as links,
               (select count(*) from api_keys) as keys,
               (select count(*) from refresh_tokens where revoked_at is null and rotated_at is null) as live_tokens,
               (select count(*) from urls) as urls,
               (select max(updated_at)::text from urls) as urls_updated,
               (select count(*) from chunks) as chunks`,
  );
}

/**
 * A fresh owner with a project, two ready urls, chunks and a live link, and the ids of each for
 * path parameters. One per operation, so each operation's runs stay within the owner's rate
 * limits and reach the handlers.
 */
async function seedOwner(): Promise<{ owner: TestUser; ids: Record<string, string> }> {
  const owner = await createUser();
  const seeded = await seedProject(owner.id);
  await seedUrls(seeded.projectId, ["ready"], 2);
  const [row] = await query<{ url_id: string; chunk_id: string }>(
    sql`select u.id as url_id, c.id as chunk_id from urls u join chunks c on c.url_id = u.id
        where u.project_id = ${seeded.projectId} limit 1`,
  );
  const ids = {
    project_id: seeded.projectId,
    link_id: seeded.linkId,
    token: seeded.linkToken,
    url_id: row?.url_id ?? crypto.randomUUID(),
    chunk_id: row?.chunk_id ?? crypto.randomUUID(),
  };
  return { owner, ids };
}

describe("fuzzing every operation in /openapi.json", () => {
  let operations: Operation[] = [];

  beforeAll(async () => {
    // Nothing is enqueued: no fetch may leave for a host a random body names, and no queue work
    // may change rows between a request's before and after fingerprints.
    vi.spyOn(env.INGEST_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    vi.spyOn(env.INGEST_QUEUE, "send").mockResolvedValue(undefined as never);
    const doc = await expectStatus<{ paths: Record<string, Record<string, unknown>> }>(
      await call("GET", "/openapi.json"),
      200,
    );
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })),
    );
  });

  afterAll(() => vi.restoreAllMocks());

  it("covers the whole contract", () => {
    console.log(`fuzzing ${operations.length} operations`);
    expect(operations.length).toBeGreaterThan(25);
  });

  it("never answers 5xx, and a rejected request changes no row", async () => {
    // Mutating successes (a valid random name, say) may change rows; only rejections are checked.
    const safeOperations = () =>
      operations.filter((op) => !(op.method === "DELETE" && op.path === "/v1/users/me"));
    for (const operation of safeOperations()) {
      const { owner, ids } = await seedOwner();
      await fc.assert(
        fc.asyncProperty(
          nastyBody,
          fc.dictionary(fc.constantFrom("limit", "cursor", "q", "role", "status"), nastyString, {
            maxKeys: 3,
          }),
          fc.boolean(),
          nastyString,
          async (body, queryParams, realIds, randomId) => {
            const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) =>
              encodeURIComponent((realIds ? (ids[name] ?? randomId) : randomId).toWellFormed()),
            );
            const search = new URLSearchParams(
              Object.entries(queryParams).map(([key, value]) => [key, value.toWellFormed()]),
            ).toString();
            const before = await fingerprint();
            const response = await call(operation.method, `${path}${search ? `?${search}` : ""}`, {
              token: owner.accessToken,
              body: ["GET", "HEAD", "DELETE"].includes(operation.method) ? undefined : body,
            });
            const text = await response.text();
            const what = `${operation.method} ${path}: ${text}`;
            expect(response.status, what).toBeLessThan(500);
            // Only password guesses run out within a run: every other request reached its handler.
            if (response.status === 429) {
              expect(response.headers.get("ratelimit"), what).toContain('"password";r=0');
            }
            if (response.status >= 400) {
              expect(await fingerprint(), `${operation.method} ${path} changed rows`).toEqual(
                before,
              );
              expectNoInternals(text, what);
            }
          },
        ),
        { numRuns: RUNS_PER_OPERATION },
      );
    }
  }, 600_000);
});
