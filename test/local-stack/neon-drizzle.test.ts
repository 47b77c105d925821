/**
 * drizzle-orm's `neon-http` driver against the local Neon endpoint (spec §9 H): typed inserts
 * and selects, `db.batch` atomicity, `db.execute` field metadata and `migrate()`. A file of its
 * own because drizzle replaces the driver's global date/interval parsers.
 *
 * Runs against in-memory PGlite; set LOCAL_PG_URL to run against a real Postgres with pgvector
 * (see neon-setup.ts).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { count, eq, sql } from "drizzle-orm";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import { migrate } from "drizzle-orm/neon-http/migrator";
import {
  bigint,
  boolean,
  customType,
  date,
  jsonb,
  numeric,
  pgTable,
  serial,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Endpoint, startEndpoint } from "./neon-setup";

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

const items = pgTable("drz_items", {
  id: serial("id").primaryKey(),
  at: timestamp("at", { withTimezone: true }).notNull(),
  day: date("day").notNull(),
  meta: jsonb("meta").$type<{ tags: string[]; n: number }>().notNull(),
  price: numeric("price", { precision: 12, scale: 3 }).notNull(),
  big: bigint("big", { mode: "bigint" }).notNull(),
  ok: boolean("ok").notNull(),
  ref: uuid("ref").notNull(),
  blob: bytea("blob").notNull(),
  names: text("names").array().notNull(),
});

const MIGRATIONS_SCHEMA = "drizzle_conformance";
let ep: Endpoint;
let db: NeonHttpDatabase;
let migrationsDir: string;

beforeAll(async () => {
  ep = await startEndpoint();
  db = drizzle({ client: ep.sql });
  await ep.sql`DROP TABLE IF EXISTS drz_items, drz_migrated`;
  await ep.sql.query(`DROP SCHEMA IF EXISTS ${MIGRATIONS_SCHEMA} CASCADE`);
  await ep.sql`CREATE TABLE drz_items (
    id serial PRIMARY KEY, at timestamptz NOT NULL, day date NOT NULL, meta jsonb NOT NULL,
    price numeric(12,3) NOT NULL, big bigint NOT NULL, ok bool NOT NULL, ref uuid NOT NULL,
    blob bytea NOT NULL, names text[] NOT NULL)`;
  migrationsDir = await mkdtemp(join(tmpdir(), "neon-drizzle-"));
});
afterAll(async () => {
  await ep?.db.close();
  if (migrationsDir) await rm(migrationsDir, { recursive: true, force: true });
});

const sample = (n: number): typeof items.$inferInsert => ({
  at: new Date(`2024-05-06T07:08:09.${String(n).padStart(3, "0")}Z`),
  day: "2024-02-29",
  meta: { tags: ["a", 'q"uote'], n },
  price: "12345.678",
  big: 9007199254740993n + BigInt(n),
  ok: n % 2 === 0,
  ref: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
  blob: Buffer.from([0, 1, 254, n]),
  names: ["x", "y,z", "NULL"],
});

describe("drizzle neon-http (H)", () => {
  it("inserts with returning and selects back equal values", async () => {
    const input = sample(1);
    const [inserted] = await db.insert(items).values(input).returning();
    expect(inserted).toEqual({ id: inserted?.id, ...input });
    const [selected] = await db
      .select()
      .from(items)
      .where(eq(items.id, inserted?.id ?? 0));
    expect(selected).toEqual(inserted);
  });

  it("db.batch runs atomically", async () => {
    const [before] = await db.select({ n: count() }).from(items);
    const [inserted, counted] = await db.batch([
      db.insert(items).values(sample(2)).returning({ id: items.id }),
      db.select({ n: count() }).from(items),
    ]);
    expect(inserted).toHaveLength(1);
    expect(counted).toEqual([{ n: (before?.n ?? 0) + 1 }]);

    const failing = db.batch([
      db.insert(items).values(sample(3)),
      db.execute(sql`insert into drz_items (at) values (now())`),
    ]);
    await expect(failing).rejects.toMatchObject({ code: "23502" });
    expect(await db.select({ n: count() }).from(items)).toEqual(counted);
  });

  it("db.execute returns full results with field metadata", async () => {
    const result = await db.execute(sql`select now() as now`);
    expect(result.fields[0]).toMatchObject({ name: "now", dataTypeID: 1184 });
    expect(result.rows[0]?.now).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00$/);
  });

  it("migrate() applies a two-statement migration and records it", async () => {
    await mkdir(join(migrationsDir, "meta"));
    const journal = {
      version: "7",
      dialect: "postgresql",
      entries: [{ idx: 0, version: "7", when: 1700000000000, tag: "0000_init", breakpoints: true }],
    };
    await writeFile(join(migrationsDir, "meta", "_journal.json"), JSON.stringify(journal));
    await writeFile(
      join(migrationsDir, "0000_init.sql"),
      "CREATE TABLE drz_migrated (id serial PRIMARY KEY, v vector(3));\n--> statement-breakpoint\n" +
        "CREATE INDEX drz_migrated_v_idx ON drz_migrated USING hnsw (v vector_cosine_ops);\n",
    );
    const config = { migrationsFolder: migrationsDir, migrationsSchema: MIGRATIONS_SCHEMA };
    await migrate(db, config);
    await migrate(db, config); // already applied: a no-op
    const applied = await ep.sql.query(
      `select created_at from ${MIGRATIONS_SCHEMA}.__drizzle_migrations`,
    );
    expect(applied).toEqual([{ created_at: "1700000000000" }]);
    expect(
      await ep.sql`select indexname from pg_indexes where tablename = 'drz_migrated' order by 1`,
    ).toEqual([{ indexname: "drz_migrated_pkey" }, { indexname: "drz_migrated_v_idx" }]);
  });
});
