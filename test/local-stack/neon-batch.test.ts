/**
 * Transaction batches (`sql.transaction`) through the local Neon endpoint (spec §9 E): order,
 * atomic rollback, the Neon-Batch-* options, and isolation from concurrent single queries.
 *
 * Runs against in-memory PGlite; set LOCAL_PG_URL to run against a real Postgres with pgvector
 * (see neon-setup.ts).
 */
import type { NeonQueryPromise } from "@neondatabase/serverless";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Endpoint, startEndpoint } from "./neon-setup";

let ep: Endpoint;

beforeAll(async () => {
  ep = await startEndpoint();
  await ep.sql`DROP TABLE IF EXISTS batch_t`;
  await ep.sql`CREATE TABLE batch_t (id int PRIMARY KEY, tag text NOT NULL)`;
});
beforeEach(async () => {
  await ep.sql`TRUNCATE batch_t`;
  await ep.sql`INSERT INTO batch_t VALUES (1, 'seed')`;
});
afterAll(() => ep?.db.close());

const count = async (tag: string) =>
  (await ep.sql`select count(*)::int as c from batch_t where tag = ${tag}`)[0]?.c;

describe("batches (E)", () => {
  it("returns results in order with per-query arrayMode and fullResults", async () => {
    // Per-query options need the array form: the callback's `sql.query` takes none.
    const [inserted, arrays, full] = await ep.sql.transaction([
      ep.sql`insert into batch_t values (2, 'b') returning id`,
      ep.sql.query("select id, tag from batch_t order by id", [], { arrayMode: true }),
      ep.sql.query("select count(*)::int as c from batch_t", [], { fullResults: true }),
    ] as NeonQueryPromise<false, false>[]);
    expect(inserted).toEqual([{ id: 2 }]);
    expect(arrays).toEqual([
      [1, "seed"],
      [2, "b"],
    ]);
    expect(full).toMatchObject({ command: "SELECT", rowCount: 1, rows: [{ c: 2 }] });
  });

  it("an empty batch returns an empty array", async () => {
    expect(await ep.sql.transaction([])).toEqual([]);
  });

  it("rolls back the whole batch when a later statement fails", async () => {
    const batch = ep.sql.transaction((sql) => [
      sql`insert into batch_t values (3, 'rolled')`,
      sql`insert into batch_t values (1, 'duplicate')`,
    ]);
    await expect(batch).rejects.toMatchObject({ code: "23505", constraint: "batch_t_pkey" });
    expect(await ep.sql`select id from batch_t where id = 3`).toEqual([]);
  });

  it("applies isolation level, read-only and deferrable", async () => {
    const [settings] = await ep.sql.transaction(
      (sql) => [
        sql`select current_setting('transaction_isolation') as iso,
                   current_setting('transaction_read_only') as ro,
                   current_setting('transaction_deferrable') as def`,
      ],
      { isolationLevel: "Serializable", readOnly: true, deferrable: true },
    );
    expect(settings?.[0]).toEqual({ iso: "serializable", ro: "on", def: "on" });
    const [defaults] = await ep.sql.transaction((sql) => [
      sql`select current_setting('transaction_isolation') as iso,
                 current_setting('transaction_read_only') as ro`,
    ]);
    expect(defaults?.[0]).toEqual({ iso: "read committed", ro: "off" });
    const [repeatable] = await ep.sql.transaction(
      (sql) => [sql`select current_setting('transaction_isolation') as iso`],
      { isolationLevel: "RepeatableRead", readOnly: false },
    );
    expect(repeatable?.[0]).toEqual({ iso: "repeatable read" });
  });

  it("a write in a read-only batch fails with 25006", async () => {
    const batch = ep.sql.transaction((sql) => [sql`insert into batch_t values (4, 'ro')`], {
      readOnly: true,
    });
    await expect(batch).rejects.toMatchObject({ code: "25006" });
    expect(await count("ro")).toBe(0);
  });

  it("CREATE INDEX CONCURRENTLY runs alone but fails with 25001 in a batch", async () => {
    await ep.sql`drop index if exists batch_tag_idx`;
    const batch = ep.sql.transaction((sql) => [
      sql`create index concurrently batch_tag_idx on batch_t (tag)`,
    ]);
    await expect(batch).rejects.toMatchObject({ code: "25001" });
    await ep.sql`create index concurrently batch_tag_idx on batch_t (tag)`;
    expect(await ep.sql`select 1 as ok from pg_indexes where indexname = 'batch_tag_idx'`).toEqual([
      { ok: 1 },
    ]);
  });

  it("keeps concurrent single queries out of a batch's transaction", async () => {
    const failing = ep.sql.transaction((sql) => [
      sql`insert into batch_t values (100, 'batch')`,
      sql`insert into batch_t values (101, 'batch')`,
      sql`select pg_sleep(0.05)`,
      sql`insert into batch_t values (1, 'duplicate')`,
    ]);
    const singles = Array.from(
      { length: 8 },
      (_, i) => ep.sql`insert into batch_t values (${200 + i}, 'single')`,
    );
    const passing = ep.sql.transaction((sql) => [
      sql`insert into batch_t values (300, 'ok-batch')`,
      sql`select count(*)::int as c from batch_t where tag = 'single'`,
    ]);
    const [failed, ...rest] = await Promise.allSettled([failing, ...singles, passing]);
    expect(failed?.status).toBe("rejected");
    expect(rest.every((r) => r.status === "fulfilled")).toBe(true);
    // Rolled-back batch rows are gone; autocommitted singles all survive.
    expect(await count("batch")).toBe(0);
    expect(await count("single")).toBe(8);
    expect(await count("ok-batch")).toBe(1);
  });
});
