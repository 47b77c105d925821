/**
 * Conformance of the local Neon "SQL over HTTP" endpoint (scripts/local-db) with the real
 * `@neondatabase/serverless` driver: transport (spec §9 A), result shape (B), autocommit
 * hygiene (F), limits and driver error paths (G) and the /stats counter.
 *
 * Runs against in-memory PGlite; set LOCAL_PG_URL=postgres://… (a scratch database on a server
 * with pgvector) to run it against a real Postgres instead. See neon-setup.ts.
 */
import { NeonDbError, neon } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConnectionString } from "../../scripts/local-db/protocol";
import { DOWN_HOST, DRIVER_HEADERS, type Endpoint, startEndpoint } from "./neon-setup";

const MiB = 1024 * 1024;
let ep: Endpoint;

beforeAll(async () => {
  ep = await startEndpoint();
  await ep.sql`DROP TABLE IF EXISTS conf_t`;
  await ep.sql`CREATE TABLE conf_t (id serial PRIMARY KEY, n numeric(12,3), v vector(3), label text)`;
});
afterAll(() => ep?.db.close());

async function rejection(promise: Promise<unknown>): Promise<NeonDbError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NeonDbError);
  return err as NeonDbError;
}

describe("transport (A)", () => {
  it("accepts a text/plain JSON body and answers JSON with CORS", async () => {
    const res = await ep.post({ query: "select 1 as one", params: [] });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(await res.json()).toMatchObject({ rows: [["1"]], command: "SELECT", rowCount: 1 });
  });

  it("answers the CORS preflight allowing the Neon headers", async () => {
    const res = await fetch(ep.db.url, { method: "OPTIONS" });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const allowed = res.headers.get("access-control-allow-headers")?.toLowerCase() ?? "";
    for (const h of ["authorization", "neon-connection-string", "neon-batch-deferrable"]) {
      expect(allowed).toContain(h);
    }
  });

  it("rejects a missing Neon-Connection-String with 400 and an empty code", async () => {
    const res = await ep.post({ query: "select 1" }, { "Neon-Array-Mode": "true" });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.message).toContain("neon-connection-string");
    expect(body).toMatchObject({ code: "", severity: "", detail: null });
  });

  it("rejects a non-JSON body and a bad scheme with 400 JSON", async () => {
    const bad = await ep.post("select 1");
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/^could not parse the HTTP request body/);
    const scheme = await ep.post(
      { query: "select 1" },
      { ...DRIVER_HEADERS, "Neon-Connection-String": "mysql://u:p@h/db" },
    );
    expect(scheme.status).toBe(400);
    expect((await scheme.json()).message).toBe("incorrect scheme");
  });

  it("rejects an unknown isolation level, even on a single query", async () => {
    const res = await ep.post(
      { query: "select 1", params: [] },
      { ...DRIVER_HEADERS, "Neon-Batch-Isolation-Level": "bogus" },
    );
    expect(res.status).toBe(400);
    expect((await res.json()).message).toBe("invalid isolation level");
  });

  it("answers other paths with 400 'query is not supported'", async () => {
    const res = await fetch(ep.db.url.replace(/\/sql$/, "/other"), { method: "POST" });
    expect(res.status).toBe(400);
    expect(await res.json()).toBe("query is not supported");
  });

  it("decodes a percent-encoded password and keeps the appended application_name apart", async () => {
    const info = parseConnectionString(
      "postgresql://alice:p%40ss@localhost/main?sslmode=require&application_name=pkg%3Anpm%2F%2540neondatabase%2Fserverless%401.2.0",
    );
    expect(info).toMatchObject({ user: "alice", password: "p@ss", database: "main" });
    expect(await ep.sql`select 1 as ok`).toEqual([{ ok: 1 }]);
  });
});

describe("result shape (B)", () => {
  it("sends rows as arrays of Postgres text with null for NULL", async () => {
    const res = await ep.post({ query: "select 1::int4 as a, null::text as b, true as c" });
    const body = await res.json();
    expect(body.rows).toEqual([["1", null, "t"]]);
    expect(body.rowAsArray).toBe(true);
  });

  it("honours array mode off and raw text off for other clients", async () => {
    const res = await ep.post(
      { query: `select 2::int4 as a, 'NaN'::float8 as f, '{"k":1}'::jsonb as j, true as b` },
      { "Neon-Connection-String": DRIVER_HEADERS["Neon-Connection-String"] },
    );
    const body = await res.json();
    expect(body.rows).toEqual([{ a: 2, f: "NaN", j: { k: 1 }, b: true }]);
    expect(body.rowAsArray).toBe(false);
  });

  it("describes table columns and expressions with all seven field keys", async () => {
    const r = await ep.sql.query("select id, n, v, 1 + 1 as two from conf_t", [], {
      fullResults: true,
    });
    const [id, n, v, two] = r.fields;
    expect(id).toMatchObject({ name: "id", dataTypeID: 23, dataTypeSize: 4, format: "text" });
    expect(id?.tableID).toBeGreaterThan(0);
    expect(id?.columnID).toBe(1);
    expect(n).toMatchObject({ dataTypeID: 1700, dataTypeModifier: 786439, columnID: 2 });
    expect(v).toMatchObject({ dataTypeModifier: 3, dataTypeSize: -1 });
    expect(two).toEqual({
      name: "two",
      dataTypeID: 23,
      tableID: 0,
      columnID: 0,
      dataTypeSize: 4,
      dataTypeModifier: -1,
      format: "text",
    });
  });

  it("reports command and rowCount per statement type", async () => {
    const q = (text: string, params: unknown[] = []) =>
      ep.sql.query(text, params, { fullResults: true });
    const ins = await q("insert into conf_t (label) values ($1), ($1), ($2) returning id", [
      "u",
      "k",
    ]);
    expect(ins).toMatchObject({ command: "INSERT", rowCount: 3, viaNeonFetch: true });
    expect(ins.rows.map((r) => typeof r.id)).toEqual(["number", "number", "number"]);
    expect(await q("select * from conf_t")).toMatchObject({ command: "SELECT", rowCount: 3 });
    expect(await q("update conf_t set n = 1 where label = 'u'")).toMatchObject({
      command: "UPDATE",
      rowCount: 2,
    });
    expect(await q("delete from conf_t where false")).toMatchObject({
      command: "DELETE",
      rowCount: 0,
    });
    expect(await q("create table conf_tmp (x int)")).toMatchObject({
      command: "CREATE",
      rowCount: null,
    });
    expect(await q("")).toMatchObject({ command: "", rowCount: null, fields: [], rows: [] });
    expect((await q("drop table conf_tmp")).command).toBe("DROP");
  });
});

describe("autocommit hygiene (F)", () => {
  it("a failing query leaves no aborted transaction behind", async () => {
    await expect(ep.sql`select 1/0`).rejects.toMatchObject({ code: "22012" });
    expect(await ep.sql`select 2 as two`).toEqual([{ two: 2 }]);
  });

  it("a lone BEGIN does not leave later requests inside a transaction", async () => {
    await ep.sql`begin`;
    await ep.sql`insert into conf_t (label) values ('after-begin')`;
    // VACUUM fails with 25001 inside a transaction block, so this proves autocommit.
    expect(await ep.sql`vacuum conf_t`).toEqual([]);
    await ep.sql`rollback`;
    expect(await ep.sql`select count(*)::int as c from conf_t where label = 'after-begin'`).toEqual(
      [{ c: 1 }],
    );
  });
});

describe("limits and driver error paths (G)", () => {
  it("answers 413 to a request body over 10 MiB", async () => {
    const err = await rejection(ep.sql.query("select $1 as big", ["x".repeat(10 * MiB + 1)]));
    expect(err.message).toMatch(
      /^Server error \(HTTP status 413\): .*request is too large \(max is 10485760 bytes\)/,
    );
  });

  it("answers 507 to a result over 10 MiB and rolls back a batch that hits it", async () => {
    const big = "select repeat('x', 1024 * 1024) from generate_series(1, 11)";
    const err = await rejection(ep.sql.query(big));
    expect(err.message).toContain("HTTP status 507");
    expect(err.message).toContain("response is too large (max is 10485760 bytes)");
    const batch = ep.sql.transaction((sql) => [
      sql`insert into conf_t (label) values ('before-507')`,
      sql.query(big),
    ]);
    expect((await rejection(batch)).message).toContain("HTTP status 507");
    expect(await ep.sql`select count(*)::int as c from conf_t where label = 'before-507'`).toEqual([
      { c: 0 },
    ]);
  });

  it("reports an endpoint that is down as a connection error", async () => {
    const down = neon(`postgresql://alice:p@${DOWN_HOST}/main`);
    const err = await rejection(down`select 1`);
    expect(err.message).toBe("Error connecting to database: TypeError: fetch failed");
  });

  it("reports a client-side timeout and keeps serving afterwards", async () => {
    const slow = ep.sql.query("select pg_sleep(0.5)", [], {
      fetchOptions: { signal: AbortSignal.timeout(50) },
    });
    expect((await rejection(slow)).message).toMatch(
      /^Error connecting to database: .*TimeoutError/,
    );
    expect(await ep.sql`select 3 as three`).toEqual([{ three: 3 }]);
  });
});

describe("GET /stats", () => {
  it("counts each query and each batch as one request", async () => {
    const stats = async () => await (await fetch(ep.db.url.replace(/sql$/, "stats"))).json();
    const before = await stats();
    expect(before).toEqual({ requests: ep.db.requests() });
    await ep.sql`select 1`;
    await ep.sql.transaction((sql) => [sql`select 1`, sql`select 2`]);
    await expect(ep.sql`selec`).rejects.toThrow();
    expect(await stats()).toEqual({ requests: before.requests + 3 });
    expect(ep.db.requests()).toBe(before.requests + 3);
  });
});
