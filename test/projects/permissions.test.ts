import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, inject, it, vi } from "vitest";
import { site } from "../ingestion/helpers";
import { call, countRoundTrips, expectStatus } from "../support/api";
import { createUser, type TestUser } from "../support/factories";
import {
  createAdmin,
  projectFingerprint,
  type SeededProject,
  seedProject,
  seedUrlWithChunk,
  seedWebhook,
} from "./fixtures";

/**
 * The permission matrix: every endpoint that touches a project × every kind of caller → status.
 * Each cell gets a fresh project (owner, a viewer, an editor, a third member and a live public
 * link), so destructive cells cannot disturb each other. To cover a new domain, add rows; the
 * `Record<Principal, number>` type refuses a row with a missing cell, and the last test refuses
 * an OpenAPI operation under /v1/projects or /v1/shared that has no row.
 *
 * The owner's API keys are three more callers whose cells follow from the owner's by the rule in
 * `keyStatus`: a write key may do what the owner may; a read key only what reads (GET, search);
 * a key limited to another project sees no project here (404) and may not create one (403).
 */
const PRINCIPALS = [
  "anonymous",
  "stranger",
  "viewer",
  "editor",
  "owner",
  "admin",
  "public link",
] as const;
type Principal = (typeof PRINCIPALS)[number];
const KEYS = ["read key", "write key", "limited key"] as const;
type KeyPrincipal = (typeof KEYS)[number];

interface Cell {
  users: Record<Exclude<Principal, "anonymous" | "public link">, TestUser> & { invitee: TestUser };
  project: SeededProject;
  /** A ready url with one chunk in the cell's project. */
  url: { urlId: string; chunkId: string };
  /** A webhook endpoint of the cell's project. */
  webhookId: string;
  principal: Principal | KeyPrincipal;
}

interface Row {
  /** `METHOD /openapi/path`, placeholders as the OpenAPI document writes them. */
  endpoint: string;
  params?: (cell: Cell) => Record<string, string>;
  body?: (cell: Cell) => unknown;
  headers?: Record<string, string>;
  expect: Record<Principal, number>;
}

const everyoneSeesAndOwnerOnly = (ok: number): Record<Principal, number> => ({
  anonymous: 401,
  stranger: 404,
  viewer: 403,
  editor: 403,
  owner: ok,
  admin: 404,
  "public link": 401,
});

/** Members see it; editors and the owner may change it. */
const membersRead = (ok: number): Record<Principal, number> => ({
  anonymous: 401,
  stranger: 404,
  viewer: ok,
  editor: ok,
  owner: ok,
  admin: 404,
  "public link": 401,
});
const editorsWrite = (ok: number): Record<Principal, number> => ({
  ...membersRead(ok),
  viewer: 403,
});

/** Only the link's holder gets through; to everyone else the token is unknown (404). */
const publicLinkOnly = (ok: number): Record<Principal, number> => ({
  anonymous: 404,
  stranger: 404,
  viewer: 404,
  editor: 404,
  owner: 404,
  admin: 404,
  "public link": ok,
});

/** A public link opens /v1/shared; other callers hold no link, so theirs is an unknown token. */
const linkOf = (cell: Cell) => ({
  token:
    cell.principal === "public link" ? cell.project.linkToken : `lbp_unknown${crypto.randomUUID()}`,
});

/** An MCP client's first message; Streamable HTTP clients accept both media types. */
const mcpInitialize = {
  body: () => ({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "t", version: "1" },
    },
  }),
  headers: { Accept: "application/json, text/event-stream" },
};

const MATRIX: Row[] = [
  // projects
  {
    endpoint: "POST /v1/projects",
    body: () => ({ name: "new" }),
    expect: {
      anonymous: 401,
      stranger: 201,
      viewer: 201,
      editor: 201,
      owner: 201,
      admin: 201,
      "public link": 401,
    },
  },
  {
    endpoint: "GET /v1/projects",
    expect: {
      anonymous: 401,
      stranger: 200,
      viewer: 200,
      editor: 200,
      owner: 200,
      admin: 200,
      "public link": 401,
    },
  },
  {
    endpoint: "GET /v1/projects/{project_id}",
    expect: {
      anonymous: 401,
      stranger: 404,
      viewer: 200,
      editor: 200,
      owner: 200,
      admin: 404,
      "public link": 401,
    },
  },
  {
    endpoint: "PATCH /v1/projects/{project_id}",
    body: () => ({ name: "renamed" }),
    expect: {
      anonymous: 401,
      stranger: 404,
      viewer: 403,
      editor: 200,
      owner: 200,
      admin: 404,
      "public link": 401,
    },
  },
  { endpoint: "DELETE /v1/projects/{project_id}", expect: everyoneSeesAndOwnerOnly(204) },
  // shares
  {
    endpoint: "POST /v1/projects/{project_id}/shares",
    body: ({ users }) => ({ email: users.invitee.email, role: "viewer" }),
    expect: everyoneSeesAndOwnerOnly(201),
  },
  {
    endpoint: "GET /v1/projects/{project_id}/shares",
    expect: {
      anonymous: 401,
      stranger: 404,
      viewer: 200,
      editor: 200,
      owner: 200,
      admin: 404,
      "public link": 401,
    },
  },
  {
    endpoint: "PATCH /v1/projects/{project_id}/shares/{share_id}",
    params: ({ project }) => ({ share_id: project.shareIds.member ?? "" }),
    body: () => ({ role: "editor" }),
    expect: everyoneSeesAndOwnerOnly(200),
  },
  {
    endpoint: "DELETE /v1/projects/{project_id}/shares/{share_id}",
    params: ({ project }) => ({ share_id: project.shareIds.member ?? "" }),
    expect: everyoneSeesAndOwnerOnly(204),
  },
  {
    // The viewer's own share: the owner may remove it and the viewer may leave.
    endpoint: "DELETE /v1/projects/{project_id}/shares/{share_id}",
    params: ({ project }) => ({ share_id: project.shareIds.viewer ?? "" }),
    expect: {
      anonymous: 401,
      stranger: 404,
      viewer: 204,
      editor: 403,
      owner: 204,
      admin: 404,
      "public link": 401,
    },
  },
  // public links
  {
    endpoint: "POST /v1/projects/{project_id}/links",
    body: () => ({}),
    expect: everyoneSeesAndOwnerOnly(201),
  },
  { endpoint: "GET /v1/projects/{project_id}/links", expect: everyoneSeesAndOwnerOnly(200) },
  {
    endpoint: "DELETE /v1/projects/{project_id}/links/{link_id}",
    params: ({ project }) => ({ link_id: project.linkId }),
    expect: everyoneSeesAndOwnerOnly(204),
  },
  {
    endpoint: "GET /v1/shared/{token}",
    params: linkOf,
    expect: publicLinkOnly(200),
  },
  {
    endpoint: "POST /v1/shared/{token}/search",
    params: linkOf,
    body: () => ({ query: "anything" }),
    expect: publicLinkOnly(200),
  },
  // urls
  {
    endpoint: "POST /v1/projects/{project_id}/urls",
    body: () => ({ url: site("/added") }),
    expect: editorsWrite(202),
  },
  { endpoint: "GET /v1/projects/{project_id}/urls", expect: membersRead(200) },
  {
    endpoint: "GET /v1/projects/{project_id}/urls/{url_id}",
    params: ({ url }) => ({ url_id: url.urlId }),
    expect: membersRead(200),
  },
  {
    endpoint: "POST /v1/projects/{project_id}/urls/{url_id}/refresh",
    params: ({ url }) => ({ url_id: url.urlId }),
    expect: editorsWrite(202),
  },
  {
    endpoint: "DELETE /v1/projects/{project_id}/urls/{url_id}",
    params: ({ url }) => ({ url_id: url.urlId }),
    expect: editorsWrite(204),
  },
  {
    endpoint: "GET /v1/projects/{project_id}/urls/{url_id}/snapshot",
    params: ({ url }) => ({ url_id: url.urlId }),
    expect: membersRead(302),
  },
  // chunks and search
  {
    endpoint: "GET /v1/projects/{project_id}/urls/{url_id}/chunks",
    params: ({ url }) => ({ url_id: url.urlId }),
    expect: membersRead(200),
  },
  {
    endpoint: "GET /v1/projects/{project_id}/chunks/{chunk_id}",
    params: ({ url }) => ({ chunk_id: url.chunkId }),
    expect: membersRead(200),
  },
  {
    endpoint: "POST /v1/projects/{project_id}/search",
    body: () => ({ query: "seeded chunk" }),
    expect: membersRead(200),
  },
  // vectorization
  { endpoint: "GET /v1/projects/{project_id}/vectorization", expect: membersRead(200) },
  { endpoint: "POST /v1/projects/{project_id}/vectorization", expect: editorsWrite(202) },
  // mcp: members connect (the tools follow role and key scope, test/mcp), a public link reads
  { endpoint: "POST /v1/projects/{project_id}/mcp", ...mcpInitialize, expect: membersRead(200) },
  {
    endpoint: "POST /v1/shared/{token}/mcp",
    params: linkOf,
    ...mcpInitialize,
    expect: publicLinkOnly(200),
  },
  // webhooks: editors manage them; viewers do not see them (their urls are the project's)
  {
    endpoint: "POST /v1/projects/{project_id}/webhooks",
    body: () => ({ url: `${inject("testSiteUrl")}/hooks/matrix`, events: ["url.ready"] }),
    expect: editorsWrite(201),
  },
  { endpoint: "GET /v1/projects/{project_id}/webhooks", expect: editorsWrite(200) },
  {
    endpoint: "DELETE /v1/projects/{project_id}/webhooks/{webhook_id}",
    params: ({ webhookId }) => ({ webhook_id: webhookId }),
    expect: editorsWrite(204),
  },
  {
    endpoint: "GET /v1/projects/{project_id}/webhooks/{webhook_id}/deliveries",
    params: ({ webhookId }) => ({ webhook_id: webhookId }),
    expect: editorsWrite(200),
  },
];

/** POSTs that only read: a read key may call them. */
const READ_POSTS = new Set([
  "POST /v1/projects/{project_id}/search",
  "POST /v1/shared/{token}/search",
  "POST /v1/projects/{project_id}/mcp",
  "POST /v1/shared/{token}/mcp",
]);
const reads = (row: Row) => row.endpoint.startsWith("GET ") || READ_POSTS.has(row.endpoint);

/** What the owner's API key gets; `early` when the key alone decides (no statement runs). */
function keyStatus(row: Row, key: KeyPrincipal): { status: number; early: boolean } {
  // Public-link routes take no bearer token: a key is ignored there like any other.
  if (row.endpoint.includes("/v1/shared/")) return { status: row.expect.stranger, early: false };
  if (key === "read key" && !reads(row)) return { status: 403, early: true };
  if (key === "limited key" && row.endpoint.includes("{project_id}")) {
    return { status: 404, early: true };
  }
  if (key === "limited key" && row.endpoint === "POST /v1/projects") {
    return { status: 403, early: true };
  }
  return { status: row.expect.owner, early: false };
}

const CELLS = MATRIX.flatMap((row) => [
  ...PRINCIPALS.map((principal) => ({ row, principal, status: row.expect[principal] })),
  ...KEYS.map((principal) => ({ row, principal, status: keyStatus(row, principal).status })),
]);

describe("permission matrix", () => {
  let users: Cell["users"];
  let memberId: string;
  let keys: Record<KeyPrincipal, string>;

  beforeAll(async () => {
    const [owner, viewer, editor, stranger, member, invitee, admin] = await Promise.all([
      createUser({ name: "Owner" }),
      createUser({ name: "Viewer" }),
      createUser({ name: "Editor" }),
      createUser({ name: "Stranger" }),
      createUser({ name: "Member" }),
      createUser({ name: "Invitee" }),
      createAdmin(),
    ]);
    users = { owner, viewer, editor, stranger, admin, invitee };
    memberId = member.id;
    const elsewhere = await seedProject(owner.id);
    const key = async (body: object) =>
      (
        await expectStatus<{ key: string }>(
          await call("POST", "/v1/auth/api-keys", {
            token: owner.accessToken,
            body: { name: "matrix", ...body },
          }),
          201,
        )
      ).key;
    keys = {
      "read key": await key({ scope: "read" }),
      "write key": await key({ scope: "write" }),
      "limited key": await key({ scope: "write", project_ids: [elsewhere.projectId] }),
    };
  });

  beforeEach(() => {
    // Writes enqueue ingestion or snapshot removal; the consumer is not this suite's concern.
    vi.spyOn(env.INGEST_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    vi.spyOn(env.INGEST_QUEUE, "send").mockResolvedValue(undefined as never);
    return () => vi.restoreAllMocks();
  });

  it.each(CELLS)("$row.endpoint as $principal is $status", async ({ row, principal, status }) => {
    const project = await seedProject(users.owner.id, {
      viewer: { userId: users.viewer.id, role: "viewer" },
      editor: { userId: users.editor.id, role: "editor" },
      member: { userId: memberId, role: "viewer" },
    });
    const url = await seedUrlWithChunk(project.projectId);
    const webhookId = await seedWebhook(project.projectId);
    const cell: Cell = { users, project, url, webhookId, principal };
    const [method, template] = row.endpoint.split(" ") as [string, string];
    const params = { project_id: project.projectId, ...row.params?.(cell) };
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name as keyof typeof params];
      if (!value) throw new Error(`no value for {${name}} in ${row.endpoint}`);
      return value;
    });
    const isKey = (KEYS as readonly string[]).includes(principal);
    const token =
      principal === "anonymous"
        ? undefined
        : principal === "public link"
          ? project.linkToken
          : isKey
            ? keys[principal as KeyPrincipal]
            : users[principal as Exclude<Principal, "anonymous" | "public link">].accessToken;
    const before = await projectFingerprint(project.projectId);
    const { result, roundTrips } = await countRoundTrips(() =>
      call(method, path, { token, body: row.body?.(cell), headers: row.headers }),
    );
    await expectStatus(result, status);
    // Authorization rides in the endpoint's one statement: a JWT costs nothing, the rest one trip;
    // an API key costs one more to resolve, and is all it costs when the key alone decides.
    const keyTrips =
      isKey && !row.endpoint.includes("/v1/shared/")
        ? keyStatus(row, principal as KeyPrincipal).early
          ? 1
          : 2
        : null;
    expect(roundTrips).toBe(keyTrips ?? (status === 401 ? 0 : 1));
    // A refused request changed nothing: not the project, its rows, nor the number of projects.
    if (status >= 400) expect(await projectFingerprint(project.projectId)).toBe(before);
  });

  it("has a row for every operation under /v1/projects and /v1/shared", async () => {
    const doc = await expectStatus<{ paths: Record<string, Record<string, unknown>> }>(
      await call("GET", "/openapi.json"),
      200,
    );
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith("/v1/projects") || path.startsWith("/v1/shared"))
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    const rows = new Set(MATRIX.map((row) => row.endpoint));
    expect(operations.filter((operation) => !rows.has(operation))).toEqual([]);
    expect([...rows].filter((row) => !operations.includes(row))).toEqual([]);
  });
});
