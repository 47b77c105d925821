/**
 * Type round trips through the local Neon endpoint with the real driver (spec §9 C): values go
 * in as driver parameters and come back through the driver's own pg-types parsing.
 *
 * Runs against in-memory PGlite; set LOCAL_PG_URL to run against a real Postgres with pgvector
 * (see neon-setup.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Endpoint, startEndpoint } from "./neon-setup";

let ep: Endpoint;

beforeAll(async () => {
  ep = await startEndpoint();
  await ep.sql`DROP TABLE IF EXISTS types_t`;
  await ep.sql`CREATE TABLE types_t (
    id serial PRIMARY KEY, i8 int8, n numeric(12,3), b bool, ts timestamptz, j jsonb, u uuid,
    arr text[], by bytea, v vector(3), d date, iv interval, f8 float8)`;
});
afterAll(() => ep?.db.close());

/** Inserts one column value through a parameter, reads it back, and checks both agree. */
async function roundTrip(column: string, value: unknown): Promise<unknown> {
  const [inserted] = await ep.sql.query(
    `insert into types_t (${column}) values ($1) returning id, ${column} as value`,
    [value],
  );
  const [selected] = await ep.sql.query(`select ${column} as value from types_t where id = $1`, [
    inserted?.id,
  ]);
  expect(selected?.value).toEqual(inserted?.value);
  return selected?.value;
}

describe("type round trips (C)", () => {
  it("int8 reads back as a string, int8[] as strings", async () => {
    expect(await roundTrip("i8", 9007199254740993n)).toBe("9007199254740993");
    const [row] = await ep.sql`select ${[1n, 9007199254740993n]}::int8[] as a`;
    expect(row?.a).toEqual(["1", "9007199254740993"]);
  });

  it("numeric keeps its digits as a string; numeric[] parses to floats", async () => {
    expect(await roundTrip("n", "12345.678")).toBe("12345.678");
    const [row] = await ep.sql`select '{1.5,2.25}'::numeric[] as a`;
    expect(row?.a).toEqual([1.5, 2.25]);
  });

  it("bool round-trips; an uncast bool param is text", async () => {
    expect(await roundTrip("b", true)).toBe(true);
    expect(await roundTrip("b", false)).toBe(false);
    expect(await ep.sql`select ${true} as t`).toEqual([{ t: "true" }]);
  });

  it("timestamptz reads back as an equal Date from UTC text", async () => {
    const date = new Date("2024-05-06T07:08:09.123Z");
    expect(await roundTrip("ts", date)).toEqual(date);
    const res = await ep.post({
      query: "select $1::timestamptz as t",
      params: [date.toISOString()],
    });
    expect((await res.json()).rows).toEqual([["2024-05-06 07:08:09.123+00"]]);
  });

  it("date reads back as local midnight", async () => {
    expect(await roundTrip("d", "2024-02-29")).toEqual(new Date(2024, 1, 29));
  });

  it("jsonb round-trips objects and JSON strings", async () => {
    const obj = { a: [1, "x"], s: 'q"uote' };
    expect(await roundTrip("j", obj)).toEqual(obj);
    expect(await ep.sql`select ${'"str"'}::jsonb as j`).toEqual([{ j: "str" }]);
    expect(await ep.sql`select ${JSON.stringify(obj)}::jsonb as j`).toEqual([{ j: obj }]);
  });

  it("uuid reads back as the same string", async () => {
    const id = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
    expect(await roundTrip("u", id)).toBe(id);
  });

  it("text[] keeps commas, quotes, NULL and the string 'NULL' apart", async () => {
    const arr = ["a", "b,c", null, 'd"e', "NULL"];
    expect(await roundTrip("arr", arr)).toEqual(arr);
  });

  it("bytea round-trips as Buffers through templates and query()", async () => {
    const buf = Buffer.from([0, 1, 254, 255]);
    const [row] = await ep.sql`insert into types_t (by) values (${buf}) returning by`;
    expect(row?.by).toEqual(buf);
    expect(await roundTrip("by", buf)).toEqual(buf);
    const [untyped] = await ep.sql.query("select $1 as b", [new Uint8Array([65, 66, 67])]);
    expect(untyped?.b).toBe("\\x414243");
  });

  it("vector reads back as text and distances as numbers", async () => {
    expect(await roundTrip("v", "[1,2.5,3]")).toBe("[1,2.5,3]");
    const [row] = await ep.sql`select '[1,2,3]'::vector <=> '[3,2,1]'::vector as d`;
    expect(row?.d).toBeCloseTo(0.2857, 4);
  });

  it("interval parses into its parts", async () => {
    const iv = await roundTrip("iv", "1 day 02:03:04");
    expect({ ...(iv as object) }).toMatchObject({ days: 1, hours: 2, minutes: 3, seconds: 4 });
  });

  it("float8 keeps 1.5, NaN and Infinity", async () => {
    expect(await roundTrip("f8", 1.5)).toBe(1.5);
    expect(await roundTrip("f8", "NaN")).toBeNaN();
    expect(await roundTrip("f8", "Infinity")).toBe(Infinity);
  });

  it("stores null and undefined as NULL and reads every NULL back as null", async () => {
    const [row] = await ep.sql.query(
      "insert into types_t (i8, n) values ($1, $2) returning i8, n, b, ts, j, u, arr, by, v, d, iv, f8",
      [null, undefined],
    );
    expect(Object.values(row ?? {})).toEqual(Array(12).fill(null));
  });

  it("returns void as an empty string and nested arrays as nested arrays", async () => {
    expect(await ep.sql`select pg_sleep(0)`).toEqual([{ pg_sleep: "" }]);
    const [row] = await ep.sql`select ${[[1, 2], [3, 4]]}::int[] as a`;
    expect(row?.a).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});
