/**
 * Postgres errors through the local Neon endpoint (spec §9 D): HTTP 400 with every error field,
 * surfacing in the real driver as `NeonDbError` with Postgres's exact message and SQLSTATE.
 *
 * Runs against in-memory PGlite; set LOCAL_PG_URL to run against a real Postgres with pgvector
 * (see neon-setup.ts).
 */
import { NeonDbError } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PG_ERROR_FIELDS } from "../../scripts/local-db/errors";
import { type Endpoint, startEndpoint } from "./neon-setup";

let ep: Endpoint;

beforeAll(async () => {
  ep = await startEndpoint();
  await ep.sql`DROP TABLE IF EXISTS err_child, err_parent`;
  await ep.sql`DROP FUNCTION IF EXISTS err_dyn()`;
  await ep.sql`CREATE TABLE err_parent (
    id int PRIMARY KEY, name text NOT NULL, qty int CONSTRAINT qty_positive CHECK (qty > 0))`;
  await ep.sql`CREATE TABLE err_child (id int PRIMARY KEY, parent_id int REFERENCES err_parent)`;
  await ep.sql`INSERT INTO err_parent (id, name, qty) VALUES (1, 'one', 1)`;
  await ep.sql`CREATE FUNCTION err_dyn() RETURNS void LANGUAGE plpgsql AS
    $$ BEGIN EXECUTE 'selec 1'; END $$`;
});
afterAll(() => ep?.db.close());

async function sqlError(text: string, params: unknown[] = []): Promise<NeonDbError> {
  const err = await ep.sql.query(text, params).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NeonDbError);
  return err as NeonDbError;
}

describe("Postgres errors (D)", () => {
  it("sends 400 with every error field, null when unset", async () => {
    const res = await ep.post({ query: "select * from nope", params: [] });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(["message", ...PG_ERROR_FIELDS].sort());
    expect(body).toMatchObject({ code: "42P01", severity: "ERROR", detail: null, hint: null });
  });

  it("syntax error: 42601 with position and source location", async () => {
    const err = await sqlError("selec 1");
    expect(err.message).toBe('syntax error at or near "selec"');
    expect(err).toMatchObject({ code: "42601", position: "1", severity: "ERROR" });
    expect(err.file).toBeTruthy();
    expect(err.line).toBeTruthy();
    expect(err.routine).toBeTruthy();
    // Unset fields arrive as undefined (null in the JSON).
    expect(err.detail).toBeUndefined();
    expect(err.internalQuery).toBeUndefined();
  });

  it("undefined table: 42P01 with position", async () => {
    const err = await sqlError("select * from nope");
    expect(err.message).toBe('relation "nope" does not exist');
    expect(err).toMatchObject({ code: "42P01", position: "15" });
  });

  it("unique violation: 23505 with detail, schema, table and constraint", async () => {
    const err = await sqlError("insert into err_parent (id, name) values ($1, 'dup')", [1]);
    expect(err).toMatchObject({
      code: "23505",
      detail: "Key (id)=(1) already exists.",
      schema: "public",
      table: "err_parent",
      constraint: "err_parent_pkey",
    });
  });

  it("not-null and check violations name the column and constraint", async () => {
    const notNull = await sqlError("insert into err_parent (id, name) values (2, null)");
    expect(notNull).toMatchObject({ code: "23502", column: "name", table: "err_parent" });
    const check = await sqlError("insert into err_parent (id, name, qty) values (3, 'x', 0)");
    expect(check).toMatchObject({ code: "23514", constraint: "qty_positive" });
  });

  it("invalid input 22P02, division by zero 22012, foreign key 23503", async () => {
    expect(await sqlError("select 'abc'::int")).toMatchObject({ code: "22P02" });
    expect(await sqlError("select 1/0")).toMatchObject({ code: "22012" });
    const fk = await sqlError("insert into err_child values (1, 99)");
    expect(fk).toMatchObject({ code: "23503", constraint: "err_child_parent_id_fkey" });
    expect(fk.detail).toBe('Key (parent_id)=(99) is not present in table "err_parent".');
  });

  it("wrong parameter count: 08P01", async () => {
    const err = await sqlError("select $1::int");
    expect(err.code).toBe("08P01");
    expect(err.message).toBe(
      'bind message supplies 0 parameters, but prepared statement "" requires 1',
    );
  });

  it("two statements in one query: 42601", async () => {
    const err = await sqlError("select 1; select 2");
    expect(err).toMatchObject({ code: "42601" });
    expect(err.message).toBe("cannot insert multiple commands into a prepared statement");
  });

  it("errors in internal queries carry internalQuery, internalPosition and where", async () => {
    const err = await sqlError("select err_dyn()");
    expect(err).toMatchObject({
      code: "42601",
      internalQuery: "selec 1",
      internalPosition: "1",
      where: "PL/pgSQL function err_dyn() line 1 at EXECUTE",
    });
    expect(err.position).toBeUndefined();
    const param = await sqlError("select $1::int", ["abc"]);
    expect(param).toMatchObject({ code: "22P02", where: "unnamed portal parameter $1 = '...'" });
  });
});
