import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { sql } from "../../src/database";
import { getManual, site } from "../ingestion/helpers";
import { projectFingerprint, query, seedProject } from "../projects/fixtures";
import { call, countRoundTrips, expectStatus } from "../support/api";
import { createUser, type TestUser } from "../support/factories";

/**
 * Every urls endpoint × stranger, viewer, editor, owner (and no token): status, code, and one
 * database round trip whenever the database is asked. Each cell gets a fresh project holding
 * one url with a stored snapshot key, so destructive cells cannot disturb each other.
 */
const PRINCIPALS = ["anonymous", "stranger", "viewer", "editor", "owner"] as const;
type Principal = (typeof PRINCIPALS)[number];

const reads = (ok: number): Record<Principal, number> => ({
  anonymous: 401,
  stranger: 404,
  viewer: ok,
  editor: ok,
  owner: ok,
});
const writes = (ok: number): Record<Principal, number> => ({ ...reads(ok), viewer: 403 });

const ROWS: {
  method: string;
  path: string;
  body?: () => unknown;
  expect: Record<Principal, number>;
}[] = [
  { method: "POST", path: "/urls", body: () => ({ url: site("/new") }), expect: writes(202) },
  { method: "GET", path: "/urls", expect: reads(200) },
  { method: "GET", path: "/urls/{url_id}", expect: reads(200) },
  { method: "POST", path: "/urls/{url_id}/refresh", expect: writes(202) },
  { method: "DELETE", path: "/urls/{url_id}", expect: writes(204) },
  { method: "GET", path: "/urls/{url_id}/snapshot", expect: reads(302) },
];

const CODES: Record<number, string> = {
  401: "UNAUTHORIZED",
  403: "INSUFFICIENT_ROLE",
  404: "PROJECT_NOT_FOUND",
};

const CELLS = ROWS.flatMap((row) =>
  PRINCIPALS.map((principal) => ({
    row,
    principal,
    status: row.expect[principal],
    name: `${row.method} /v1/projects/{project_id}${row.path}`,
  })),
);

describe("urls permission matrix", () => {
  let users: Record<Exclude<Principal, "anonymous">, TestUser>;

  beforeAll(async () => {
    const [stranger, viewer, editor, owner] = await Promise.all(
      Array.from({ length: 4 }, () => createUser()),
    );
    if (!stranger || !viewer || !editor || !owner) throw new Error("users");
    users = { stranger, viewer, editor, owner };
  });
  beforeEach(() => {
    vi.spyOn(env.INGEST_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
  });
  afterEach(() => vi.restoreAllMocks());

  it.each(CELLS)("$name as $principal is $status", async ({ row, principal, status }) => {
    const { projectId } = await seedProject(users.owner.id, {
      viewer: { userId: users.viewer.id, role: "viewer" },
      editor: { userId: users.editor.id, role: "editor" },
    });
    const [url] = await query<{ id: string }>(
      sql`insert into urls (project_id, url, normalized_url, status, snapshot_key)
          values (${projectId}, 'https://seed.example/', 'https://seed.example/', 'ready',
                  ${`projects/${projectId}/urls/x/abc`})
          returning id`,
    );
    const path = `/v1/projects/${projectId}${row.path.replace("{url_id}", url?.id ?? "")}`;
    const token = principal === "anonymous" ? undefined : users[principal].accessToken;
    const before = await projectFingerprint(projectId);
    const { result, roundTrips } = await countRoundTrips(() =>
      status === 302
        ? getManual(path, token)
        : call(row.method, path, { token, body: row.body?.() }),
    );
    if (status === 302) {
      expect(result.status).toBe(302);
      expect(result.headers.get("location")).toContain("X-Amz-Signature=");
    } else if (status >= 400) {
      const problem = await expectStatus<{ code: string }>(result, status);
      if (status !== 401) expect(problem.code).toBe(CODES[status]);
    } else {
      await expectStatus(result, status);
    }
    // A JWT costs no round trip; authorizing rides in the endpoint's one statement.
    expect(roundTrips).toBe(principal === "anonymous" ? 0 : 1);
    if (status >= 400) expect(await projectFingerprint(projectId)).toBe(before);
  });
});
