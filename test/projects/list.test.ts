import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sql } from "../../src/database";
import { encodeCursor, useCursorSecret } from "../../src/pagination";
import { call, countRoundTrips, expectProblem, expectStatus } from "../support/api";
import { createUser, type TestUser } from "../support/factories";
import { createAdmin, query, seedProject } from "./fixtures";

interface Item {
  id: string;
  name: string;
  role: string;
}
interface Page {
  items: Item[];
  next_cursor: string | null;
}

async function list(user: TestUser, search = ""): Promise<Page> {
  return expectStatus<Page>(
    await call("GET", `/v1/projects${search}`, { token: user.accessToken }),
    200,
  );
}

describe("GET /v1/projects", () => {
  it("lists owned and shared projects with the caller's role, newest first, in one round trip", async () => {
    const [me, other] = await Promise.all([createUser(), createUser()]);
    const owned = await seedProject(me.id, {}, "mine");
    const viewing = await seedProject(
      other.id,
      { me: { userId: me.id, role: "viewer" } },
      "theirs v",
    );
    const editing = await seedProject(
      other.id,
      { me: { userId: me.id, role: "editor" } },
      "theirs e",
    );
    await seedProject(other.id, {}, "not shared");
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", "/v1/projects", { token: me.accessToken }),
    );
    const page = await expectStatus<Page>(result, 200);
    expect(page.items.map((item) => [item.id, item.role])).toEqual([
      [editing.projectId, "editor"],
      [viewing.projectId, "viewer"],
      [owned.projectId, "owner"],
    ]);
    expect(page.next_cursor).toBeNull();
    expect(roundTrips).toBe(1);
  });

  it("filters by role", async () => {
    const [me, other] = await Promise.all([createUser(), createUser()]);
    const owned = await seedProject(me.id);
    const viewing = await seedProject(other.id, { me: { userId: me.id, role: "viewer" } });
    const editing = await seedProject(other.id, { me: { userId: me.id, role: "editor" } });
    const ids = async (role: string) => (await list(me, `?role=${role}`)).items.map((i) => i.id);
    expect(await ids("owner")).toEqual([owned.projectId]);
    expect(await ids("viewer")).toEqual([viewing.projectId]);
    expect(await ids("editor")).toEqual([editing.projectId]);
    await expectProblem(
      await call("GET", "/v1/projects?role=admin", { token: me.accessToken }),
      422,
      "VALIDATION_FAILED",
    );
  });

  it("filters by name in any case, treating % and _ literally", async () => {
    const me = await createUser();
    await seedProject(me.id, {}, "Rust Notes");
    await seedProject(me.id, {}, "100% done");
    await seedProject(me.id, {}, "snake_case");
    await seedProject(me.id, {}, "snakeXcase");
    const names = async (q: string) =>
      (await list(me, `?q=${encodeURIComponent(q)}`)).items.map((i) => i.name);
    expect(await names("rust")).toEqual(["Rust Notes"]);
    expect(await names("%")).toEqual(["100% done"]);
    expect(await names("e_c")).toEqual(["snake_case"]);
    expect(await names("nothing like it")).toEqual([]);
  });

  it("never shows another tenant's projects, whatever the filter", async () => {
    const [owner, stranger] = await Promise.all([createUser(), createUser()]);
    const secret = `secret-${crypto.randomUUID()}`;
    await seedProject(owner.id, {}, secret);
    for (const search of [`?q=${secret}`, "?role=owner", "?role=viewer", "?role=editor", ""]) {
      expect((await list(stranger, search)).items).toEqual([]);
    }
  });

  it("scopes a cursor taken from another tenant's list to the caller's own projects", async () => {
    const [owner, stranger] = await Promise.all([createUser(), createUser()]);
    for (let i = 0; i < 3; i++) await seedProject(owner.id, {}, `owner ${i}`);
    const mine = await seedProject(stranger.id, {}, "stranger's");
    // Backdate the stranger's project so it sorts after the owner's cursor.
    await query(
      sql`update projects set created_at = now() - interval '1 day' where id = ${mine.projectId}`,
    );
    const first = await list(owner, "?limit=1");
    expect(first.next_cursor).not.toBeNull();
    const stolen = await list(stranger, `?limit=100&cursor=${first.next_cursor}`);
    expect(stolen.items.map((i) => i.id)).toEqual([mine.projectId]);
  });

  it("shows an admin only their own projects", async () => {
    const [admin, owner] = await Promise.all([createAdmin(), createUser()]);
    await seedProject(owner.id);
    const own = await seedProject(admin.id);
    expect((await list(admin)).items.map((i) => i.id)).toEqual([own.projectId]);
  });

  it.each([
    ["limit=0", "query.limit", "VALIDATION_FAILED"],
    ["limit=101", "query.limit", "VALIDATION_FAILED"],
    ["cursor=garbage", "query.cursor", "INVALID_CURSOR"],
    [
      `cursor=${btoa(JSON.stringify(["2020-01-01T00:00:00Z", "not-a-uuid"]))}`,
      "query.cursor",
      "INVALID_CURSOR",
    ],
  ])("is 422 for %s", async (search, path, code) => {
    const me = await createUser();
    const problem = await expectProblem(
      await call("GET", `/v1/projects?${search}`, { token: me.accessToken }),
      422,
      code,
    );
    expect((problem as unknown as { errors: { path: string }[] }).errors[0]?.path).toBe(path);
  });

  it("is 422 INVALID_CURSOR for an unsigned cursor that used to pass: no query runs", async () => {
    const me = await createUser();
    await seedProject(me.id);
    const forged = btoa(JSON.stringify(["infinity", crypto.randomUUID()])).replace(/=+$/, "");
    const { result, roundTrips } = await countRoundTrips(() =>
      call("GET", `/v1/projects?cursor=${forged}`, { token: me.accessToken }),
    );
    await expectProblem(result, 422, "INVALID_CURSOR");
    expect(roundTrips).toBe(0);
  });

  it.each(["infinity", "allballs"])(
    "is 422 INVALID_CURSOR naming the timestamp for a signed cursor at %s",
    async (time) => {
      const me = await createUser();
      useCursorSecret(String(env.JWT_SECRET));
      const cursor = encodeCursor([time, crypto.randomUUID()]);
      const problem = await expectProblem(
        await call("GET", `/v1/projects?cursor=${cursor}`, { token: me.accessToken }),
        422,
        "INVALID_CURSOR",
      );
      expect(problem.detail).toMatch(/timestamp/);
    },
  );
});
