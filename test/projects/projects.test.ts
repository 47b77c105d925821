import { describe, expect, it } from "vitest";
import { sql } from "../../src/database";
import { Project } from "../../src/projects/schemas";
import { call, countRoundTrips, expectProblem, expectStatus } from "../support/api";
import { createUser } from "../support/factories";
import { projectFingerprint, query, seedProject, seedUrls } from "./fixtures";

type ProjectBody = import("../../src/projects/schemas").Project;

async function createProject(token: string, body: Record<string, unknown>) {
  return expectStatus<ProjectBody>(await call("POST", "/v1/projects", { token, body }), 201);
}

describe("POST /v1/projects", () => {
  it("creates a project owned by the caller with default settings in one round trip", async () => {
    const owner = await createUser({ name: "Ada" });
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", "/v1/projects", { token: owner.accessToken, body: { name: "  Docs  " } }),
    );
    const project = Project.parse(await expectStatus(result, 201));
    expect(project).toMatchObject({
      name: "Docs",
      description: null,
      settings: { chunk_size: 1000, chunk_overlap: 200, refresh_interval_hours: null },
      owner: { id: owner.id, name: "Ada", email: owner.email },
      role: "owner",
      counts: { urls: 0, urls_ready: 0, urls_failed: 0, chunks: 0 },
    });
    expect(project.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(roundTrips).toBe(1);
    const [stored] = await query<{ owner_id: string }>(
      sql`select owner_id from projects where id = ${project.id}`,
    );
    expect(stored?.owner_id).toBe(owner.id);
  });

  it("stores description and settings, deriving the default overlap from a small chunk size", async () => {
    const owner = await createUser();
    const project = await createProject(owner.accessToken, {
      name: "Small chunks",
      description: "notes",
      settings: { chunk_size: 400, refresh_interval_hours: 24 },
    });
    expect(project.description).toBe("notes");
    expect(project.settings).toEqual({
      chunk_size: 400,
      chunk_overlap: 80,
      refresh_interval_hours: 24,
    });
  });

  it.each([
    ["an empty name", { name: "" }, "body.name"],
    ["a blank name", { name: "   " }, "body.name"],
    ["a 201-character name", { name: "x".repeat(201) }, "body.name"],
    ["an unknown field", { name: "a", owner_id: crypto.randomUUID() }, "body"],
    [
      "chunk_size below 200",
      { name: "a", settings: { chunk_size: 199 } },
      "body.settings.chunk_size",
    ],
    [
      "chunk_size above 8000",
      { name: "a", settings: { chunk_size: 8001 } },
      "body.settings.chunk_size",
    ],
    [
      "a fractional chunk_size",
      { name: "a", settings: { chunk_size: 500.5 } },
      "body.settings.chunk_size",
    ],
    [
      "a negative overlap",
      { name: "a", settings: { chunk_overlap: -1 } },
      "body.settings.chunk_overlap",
    ],
    [
      "an overlap above half the chunk size",
      { name: "a", settings: { chunk_size: 400, chunk_overlap: 201 } },
      "body.settings.chunk_overlap",
    ],
    [
      "a refresh interval of 0 hours",
      { name: "a", settings: { refresh_interval_hours: 0 } },
      "body.settings.refresh_interval_hours",
    ],
    [
      "a refresh interval over a year",
      { name: "a", settings: { refresh_interval_hours: 8761 } },
      "body.settings.refresh_interval_hours",
    ],
    ["an unknown setting", { name: "a", settings: { depth: 2 } }, "body.settings"],
  ])("is 422 for %s, naming the field", async (_, body, path) => {
    const owner = await createUser();
    const { result, roundTrips } = await countRoundTrips(() =>
      call("POST", "/v1/projects", { token: owner.accessToken, body }),
    );
    const problem = await expectProblem(result, 422, "VALIDATION_FAILED");
    expect((problem as unknown as { errors: { path: string }[] }).errors[0]?.path).toBe(path);
    expect(roundTrips).toBe(0);
    const [owned] = await query<{ n: number }>(
      sql`select count(*)::int as n from projects where owner_id = ${owner.id}`,
    );
    expect(owned?.n).toBe(0);
  });

  it("accepts an overlap of exactly half the chunk size", async () => {
    const owner = await createUser();
    const project = await createProject(owner.accessToken, {
      name: "Half",
      settings: { chunk_size: 200, chunk_overlap: 100 },
    });
    expect(project.settings.chunk_overlap).toBe(100);
  });
});

describe("GET /v1/projects/{project_id}", () => {
  it("counts urls by status and chunks from the stored rows, in one round trip", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    await seedUrls(projectId, ["ready", "ready", "failed", "queued", "fetching"], 3);
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", `/v1/projects/${projectId}`, { token: owner.accessToken }),
    );
    const project = Project.parse(await expectStatus(result, 200));
    expect(project.counts).toEqual({ urls: 5, urls_ready: 2, urls_failed: 1, chunks: 15 });
    expect(roundTrips).toBe(1);
  });

  it("shows a shared user their own role", async () => {
    const [owner, editor] = await Promise.all([createUser(), createUser()]);
    const { projectId } = await seedProject(owner.id, { e: { userId: editor.id, role: "editor" } });
    const project = await expectStatus<ProjectBody>(
      await call("GET", `/v1/projects/${projectId}`, { token: editor.accessToken }),
      200,
    );
    expect(project.role).toBe("editor");
    expect(project.owner.id).toBe(owner.id);
  });

  it("is 422 for a malformed id without touching the database, and 404 for an unknown one", async () => {
    const user = await createUser();
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", "/v1/projects/not-a-uuid", { token: user.accessToken }),
    );
    const problem = await expectProblem(result, 422, "VALIDATION_FAILED");
    expect((problem as unknown as { errors: { path: string }[] }).errors[0]?.path).toBe(
      "param.project_id",
    );
    expect(roundTrips).toBe(0);
    await expectProblem(
      await call("GET", `/v1/projects/${crypto.randomUUID()}`, { token: user.accessToken }),
      404,
      "PROJECT_NOT_FOUND",
    );
  });

  it("answers 401 before 422 when an anonymous caller sends a malformed id", async () => {
    await expectProblem(await call("GET", "/v1/projects/nope"), 401, "NOT_AUTHENTICATED");
  });
});

describe("PATCH /v1/projects/{project_id}", () => {
  it("renames, describes and changes settings in one round trip", async () => {
    const owner = await createUser();
    const created = await createProject(owner.accessToken, {
      name: "Old",
      description: "d",
      settings: { refresh_interval_hours: 12 },
    });
    const { result, roundTrips } = await countRoundTrips(() =>
      call("PATCH", `/v1/projects/${created.id}`, {
        token: owner.accessToken,
        body: { name: "New", settings: { chunk_size: 2000, chunk_overlap: 500 } },
      }),
    );
    const updated = Project.parse(await expectStatus(result, 200));
    expect(updated).toMatchObject({
      name: "New",
      description: "d",
      settings: { chunk_size: 2000, chunk_overlap: 500, refresh_interval_hours: 12 },
      role: "owner",
    });
    expect(updated.updated_at > created.updated_at).toBe(true);
    expect(roundTrips).toBe(1);
  });

  it("makes new chunk settings re-chunk each url at its next refresh (validators forgotten)", async () => {
    const owner = await createUser();
    const created = await createProject(owner.accessToken, { name: "Rechunk" });
    await seedUrls(created.id, ["ready", "ready"]);
    await query(
      sql`update urls set etag = '"v1"', last_modified = 'x' where project_id = ${created.id}`,
    );
    const validators = () =>
      query<{ etag: string | null }>(sql`select etag from urls where project_id = ${created.id}`);

    await expectStatus(
      await call("PATCH", `/v1/projects/${created.id}`, {
        token: owner.accessToken,
        body: { name: "Renamed only", settings: { refresh_interval_hours: 24 } },
      }),
      200,
    );
    expect((await validators()).map((url) => url.etag)).toEqual(['"v1"', '"v1"']);

    await expectStatus(
      await call("PATCH", `/v1/projects/${created.id}`, {
        token: owner.accessToken,
        body: { settings: { chunk_size: 1500 } },
      }),
      200,
    );
    expect((await validators()).map((url) => url.etag)).toEqual([null, null]);
  });

  it("clears description and refresh interval with null and leaves the rest alone", async () => {
    const owner = await createUser();
    const created = await createProject(owner.accessToken, {
      name: "Keep",
      description: "d",
      settings: { refresh_interval_hours: 12 },
    });
    const updated = await expectStatus<ProjectBody>(
      await call("PATCH", `/v1/projects/${created.id}`, {
        token: owner.accessToken,
        body: { description: null, settings: { refresh_interval_hours: null } },
      }),
      200,
    );
    expect(updated.name).toBe("Keep");
    expect(updated.description).toBeNull();
    expect(updated.settings).toEqual({
      chunk_size: 1000,
      chunk_overlap: 200,
      refresh_interval_hours: null,
    });
  });

  it("checks an overlap sent alone against the stored chunk size, in the same round trip", async () => {
    const owner = await createUser();
    const created = await createProject(owner.accessToken, {
      name: "p",
      settings: { chunk_size: 600, chunk_overlap: 100 },
    });
    const { result, roundTrips } = await countRoundTrips(() =>
      call("PATCH", `/v1/projects/${created.id}`, {
        token: owner.accessToken,
        body: { name: "renamed", settings: { chunk_overlap: 301 } },
      }),
    );
    const problem = await expectProblem(result, 422, "VALIDATION_FAILED");
    expect((problem as unknown as { errors: { path: string }[] }).errors[0]?.path).toBe(
      "body.settings.chunk_overlap",
    );
    expect(problem.detail).toContain("600");
    expect(roundTrips).toBe(1);
    const [stored] = await query<{ name: string; chunk_overlap: number }>(
      sql`select name, chunk_overlap from projects where id = ${created.id}`,
    );
    expect(stored).toEqual({ name: "p", chunk_overlap: 100 });
  });

  it("checks a chunk size sent alone against the stored overlap", async () => {
    const owner = await createUser();
    const created = await createProject(owner.accessToken, { name: "p" });
    const before = await projectFingerprint(created.id);
    const problem = await expectProblem(
      await call("PATCH", `/v1/projects/${created.id}`, {
        token: owner.accessToken,
        body: { settings: { chunk_size: 300 } },
      }),
      422,
      "VALIDATION_FAILED",
    );
    expect((problem as unknown as { errors: { path: string }[] }).errors[0]?.path).toBe(
      "body.settings.chunk_size",
    );
    expect(await projectFingerprint(created.id)).toBe(before);
    const ok = await expectStatus<ProjectBody>(
      await call("PATCH", `/v1/projects/${created.id}`, {
        token: owner.accessToken,
        body: { settings: { chunk_size: 400 } },
      }),
      200,
    );
    expect(ok.settings).toMatchObject({ chunk_size: 400, chunk_overlap: 200 });
  });

  it("lets an editor edit, answering with the editor's role, and refuses a viewer with 403", async () => {
    const [owner, editor, viewer] = await Promise.all([createUser(), createUser(), createUser()]);
    const { projectId } = await seedProject(owner.id, {
      e: { userId: editor.id, role: "editor" },
      v: { userId: viewer.id, role: "viewer" },
    });
    const edited = await expectStatus<ProjectBody>(
      await call("PATCH", `/v1/projects/${projectId}`, {
        token: editor.accessToken,
        body: { name: "by editor" },
      }),
      200,
    );
    expect(edited.role).toBe("editor");
    const before = await projectFingerprint(projectId);
    const { result, roundTrips } = await countRoundTrips(() =>
      call("PATCH", `/v1/projects/${projectId}`, {
        token: viewer.accessToken,
        body: { name: "x" },
      }),
    );
    await expectProblem(result, 403, "INSUFFICIENT_ROLE");
    expect(roundTrips).toBe(1);
    expect(await projectFingerprint(projectId)).toBe(before);
  });

  it("is 422 for an unknown field such as owner_id", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const before = await projectFingerprint(projectId);
    await expectProblem(
      await call("PATCH", `/v1/projects/${projectId}`, {
        token: owner.accessToken,
        body: { owner_id: crypto.randomUUID() },
      }),
      422,
      "VALIDATION_FAILED",
    );
    expect(await projectFingerprint(projectId)).toBe(before);
  });
});
