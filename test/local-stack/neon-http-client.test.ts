/**
 * The Worker's own Neon HTTP client (src/neon-http.ts) against the real `@neondatabase/serverless`
 * driver: the same statements through both, against the same local endpoint, must send the same
 * request bodies and give identical rows and identical errors.
 *
 * Runs against in-memory PGlite; set LOCAL_PG_URL to run against a real Postgres with pgvector
 * (see neon-setup.ts).
 */
import { type NeonDbError as DriverError, neon, neonConfig } from "@neondatabase/serverless";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NeonHttp, type Row } from "../../src/neon-http";
import { parseArray } from "../../src/postgres-text";
import { CONNECTION_STRING, type Endpoint, startEndpoint } from "./neon-setup";

/** Neon's own endpoint mapping, before the tests point the driver at the local stack. */
const neonEndpoint = neonConfig.fetchEndpoint;
let ep: Endpoint;
let lean: NeonHttp;
/** The last request body each client sent. */
const sent = { driver: "", lean: "" };
/** When set, both clients get this instead of the endpoint's answer. */
let fakeFetch: (() => Promise<Response>) | undefined;

function recording(who: keyof typeof sent): typeof fetch {
  return async (input, init) => {
    sent[who] = String(init?.body);
    return fakeFetch ? fakeFetch() : fetch(input, init);
  };
}

beforeAll(async () => {
  ep = await startEndpoint();
  neonConfig.fetchFunction = recording("driver");
  lean = new NeonHttp(CONNECTION_STRING, { endpoint: ep.db.url, fetch: recording("lean") });
  await ep.sql`DROP TABLE IF EXISTS client_t`;
  await ep.sql`CREATE TABLE client_t (id int PRIMARY KEY, tag text NOT NULL)`;
});
afterAll(async () => {
  neonConfig.fetchFunction = undefined;
  await ep?.db.close();
});

/** Runs one statement through both clients; asserts the same body went out and the same rows came back. */
async function same(text: string, params: unknown[] = []): Promise<Row[]> {
  const expected = await ep.sql.query(text, params);
  const actual = await lean.query(text, params);
  expect(sent.lean).toBe(sent.driver);
  expect(actual).toStrictEqual(expected);
  return actual;
}

/** Both promises reject with errors equal in every field the driver sets. */
async function sameError(driver: Promise<unknown>, mine: Promise<unknown>) {
  const [expected, actual] = (await Promise.all(
    [driver, mine].map((promise) =>
      promise.then(
        () => expect.unreachable("resolved"),
        (e: unknown) => e,
      ),
    ),
  )) as [DriverError, DriverError];
  expect(expected.name).toBe("NeonDbError");
  // The driver declares every field it may set (name, SQLSTATE fields, sourceError) as its own.
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const field of [...Object.keys(expected), "message"] as (keyof DriverError)[]) {
    expect(actual[field], field).toStrictEqual(expected[field]);
  }
  expect(actual).toBeInstanceOf(Error);
  return actual;
}

describe("values read back", () => {
  it("scalars of every type the app reads, and NULL", async () => {
    const [row] =
      await same(`select true as b, false as f, 1::int2 as i2, (-2147483648)::int4 as i4,
      26::oid as o, 9007199254740993::int8 as i8, -5::int8 as i8n, 1.5::float4 as f4,
      0.1::float8 as f8, 'NaN'::float8 as nan, 'Infinity'::float8 as inf, '-Infinity'::float8 as ninf,
      12345.678::numeric(12,3) as n, '{"a": [1, "x"]}'::json as j, '{"a": {"b": null}}'::jsonb as jb,
      '"str"'::jsonb as js, 'null'::jsonb as jn, '3'::jsonb as j3,
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u, 'text' as t, 'x'::varchar(3) as vc,
      'c'::char(3) as bp, '[1,2.5,3]'::vector as v, '[1,2,3]'::vector <=> '[3,2,1]'::vector as dist,
      to_tsvector('english', 'the cats sat') as tsv, 'english'::regconfig as cfg,
      '12:34:56'::time as tm, null::int as nul, null::jsonb as nulj, pg_sleep(0) as slept`);
    expect(row).toMatchObject({
      b: true,
      i8: "9007199254740993",
      n: "12345.678",
      j: { a: [1, "x"] },
    });
  });

  it("timestamps, dates and their edges: offsets, fractions, infinity, BC, years below 100", async () => {
    const [row] = await same(`select '2024-05-06 07:08:09.999999+00'::timestamptz as micro,
      '2024-05-06 07:08:09.123456+05:30'::timestamptz as tz, '2024-05-06 07:08:09.5'::timestamp as ts,
      '2024-02-29'::date as d, 'infinity'::timestamptz as inf, '-infinity'::timestamp as ninf,
      'infinity'::date as dinf, '0044-03-15 12:00:00+00 BC'::timestamptz as bc,
      '0001-01-01 BC'::date as dbc, '0099-12-31 23:59:59'::timestamp as y99, '0050-06-01'::date as d50,
      '0001-01-01 00:00:00+00'::timestamptz as y1, '10000-01-01 00:00:00+00'::timestamptz as y10k`);
    expect(row?.tz).toEqual(new Date("2024-05-06T01:38:09.123Z"));
    expect(row?.inf).toBe(Infinity);
  });

  it("arrays: quoting, escapes, NULL against 'NULL', nesting, bounds, empty", async () => {
    const [row] = await same(`select '{t,f,NULL}'::bool[] as b, '{1,NULL,-3}'::int2[] as i2,
      '{{1,2},{3,4}}'::int[] as nested, '{{{1}},{{2}}}'::int[] as deep, '[0:1]={5,6}'::int[] as bounds,
      '{1,9007199254740993,NULL}'::int8[] as i8, '{1.5,NaN,-Infinity}'::float8[] as f8,
      '{0.5}'::float4[] as f4, '{1.5,2.25}'::numeric[] as n, '{26}'::oid[] as o,
      array['a', 'b,c', null, 'd"e', 'NULL', '', 'back\\slash', '{x}', ' sp ', 'é😀']::text[] as t,
      '{}'::text[] as empty, array['x']::varchar[] as vc, array['ab']::char(2)[] as bp,
      array['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']::uuid[] as u,
      array['{"a": "}"}', null, '[1]']::jsonb[] as jb, array['{"b": 2}']::json[] as j,
      array['2024-05-06 07:08:09.5+00', null, 'infinity']::timestamptz[] as tz,
      array['2024-05-06 07:08:09']::timestamp[] as ts, array['2024-02-29']::date[] as d,
      '{{a,b},{NULL,"}"}}'::text[] as tnested, array['12:00']::time[] as tm`);
    expect(row?.t).toEqual([
      "a",
      "b,c",
      null,
      'd"e',
      "NULL",
      "",
      "back\\slash",
      "{x}",
      " sp ",
      "é😀",
    ]);
    expect(row?.bounds).toEqual([5, 6]);
  });

  it("rows are objects; a repeated column name keeps the last value", async () => {
    expect(await same("select 1 as a, 2 as a, 3 as b")).toEqual([{ a: 2, b: 3 }]);
    await same(`select 1 as "__proto__", 2 as "constructor"`);
    await same("select g as n from generate_series(1, 3) g");
    await same("select 1 where false");
    await same("");
  });

  it("refuses the types whose driver values it does not build, instead of returning text", async () => {
    for (const type of ["interval", "bytea", "point", "interval[]"]) {
      const [driverRow] = await ep.sql.query(`select null::${type} as x`);
      expect(driverRow).toEqual({ x: null });
      await expect(lean.query(`select null::${type} as x`)).rejects.toThrow(/not supported/);
    }
  });
});

describe("parameters sent", () => {
  it("scalars, objects, nested arrays and dates are serialized as the driver does", async () => {
    const values: unknown[] = [
      "text",
      "",
      42,
      -1.5,
      Number.NaN,
      9007199254740993n,
      true,
      false,
      null,
      undefined,
      { a: [1, "x"], s: 'q"uote' },
      new Date("2024-05-06T07:08:09.123Z"),
      new Date("-000043-03-15T12:00:00Z"),
      new Date("0050-01-01T00:00:00Z"),
      ["a", 'b"c', "d\\e", null, undefined, "NULL", "{x}"],
      [
        [1, 2],
        [3, 4],
      ],
      [{ a: 1 }, new Date(0), true, 1n],
      [],
      // A hole is written as NULL.
      // biome-ignore lint/suspicious/noSparseArray: the driver's treatment of holes
      ["x", , "y"],
    ];
    for (const value of values) await same("select $1::text as v", [value]);
    await same("select $1::int[] as a", [
      [
        [1, 2],
        [3, 4],
      ],
    ]);
    await same("select $1::jsonb as j", [{ nested: { deep: [null, "é"] } }]);
    await same("select $1::timestamptz as t, $1::date as d", [new Date(Date.UTC(2020, 0, 31, 23))]);
  });

  it("text arrays of any strings survive the round trip identically (property)", async () => {
    const element = fc.option(fc.string({ unit: "grapheme", maxLength: 12 }), { nil: null });
    await fc.assert(
      fc.asyncProperty(fc.array(element, { maxLength: 6 }), async (values) => {
        const cleaned = values.map((value) => value?.replaceAll("\0", "") ?? null);
        const [row] = await same("select $1::text[] as a, $1::text as raw", [cleaned]);
        expect(row?.a).toEqual(cleaned);
      }),
      { numRuns: 100 },
    );
  });

  it("dates from 4701 BC to 9999 AD survive the round trip identically (property)", async () => {
    const date = fc.date({
      min: new Date("-004700-01-01T00:00:00Z"),
      max: new Date("9999-12-31T23:59:59Z"),
      noInvalidDate: true,
    });
    await fc.assert(
      fc.asyncProperty(date, async (value) => {
        const [row] = await same(
          "select $1::timestamptz as tz, $1::timestamp as ts, $1::date as d, $1::text as raw",
          [value],
        );
        expect(row?.tz).toEqual(value);
      }),
      { numRuns: 100 },
    );
  });

  it("rejects bytea parameters rather than sending them as JSON", async () => {
    await expect(lean.query("select $1 as b", [new Uint8Array([1])])).rejects.toThrow(/bytea/);
  });
});

describe("requests", () => {
  it("go to Neon's endpoint for the host with the driver's headers", async () => {
    const url = "postgres://alice:p%40ss@ep-cool-name-123.eu-central-1.aws.neon.tech/main";
    const requests: { url: string; headers: Record<string, string> }[] = [];
    const capture: typeof fetch = async (input, init) => {
      requests.push({ url: String(input), headers: init?.headers as Record<string, string> });
      return Response.json({ fields: [], rows: [] });
    };
    // Nothing leaves the machine: both clients' fetch only records the request.
    const { fetchEndpoint, fetchFunction } = neonConfig;
    Object.assign(neonConfig, { fetchEndpoint: neonEndpoint, fetchFunction: capture });
    try {
      await neon(url).query("select 1");
    } finally {
      Object.assign(neonConfig, { fetchEndpoint, fetchFunction });
    }
    await new NeonHttp(url, { fetch: capture }).query("select 1");
    const [driver, mine] = requests as [(typeof requests)[0], (typeof requests)[0]];
    expect(mine.url).toBe("https://api.eu-central-1.aws.neon.tech/sql");
    expect(mine.url).toBe(driver.url);
    // The driver also names itself in `application_name`.
    const { "Neon-Connection-String": driverConnection, ...driverRest } = driver.headers;
    const { "Neon-Connection-String": connection, ...rest } = mine.headers;
    expect(driverConnection?.startsWith(`${connection}?application_name=`)).toBe(true);
    expect(connection).toBe(
      "postgresql://alice:p%40ss@ep-cool-name-123.eu-central-1.aws.neon.tech/main",
    );
    expect(rest).toEqual(driverRest);
  });
});

describe("transactions", () => {
  it("return each statement's rows in order", async () => {
    await ep.sql`TRUNCATE client_t`;
    const statements = [
      { text: "insert into client_t values ($1, $2) returning id, tag", params: [1, "a"] },
      { text: "select count(*) as c, array_agg(id) as ids from client_t", params: [] },
    ];
    const expected = await ep.sql.transaction(
      statements.map((s) => ep.sql.query(s.text, s.params)),
    );
    const driverBody = sent.driver;
    await ep.sql`TRUNCATE client_t`;
    const actual = await lean.transaction(statements);
    expect(sent.lean).toBe(driverBody);
    expect(actual).toStrictEqual(expected);
    expect(actual).toEqual([[{ id: 1, tag: "a" }], [{ c: "1", ids: [1] }]]);
    expect(await lean.transaction([])).toStrictEqual(await ep.sql.transaction([]));
  });

  it("roll back entirely and reject with the failing statement's error", async () => {
    await ep.sql`TRUNCATE client_t`;
    await ep.sql`insert into client_t values (1, 'seed')`;
    const statements = [
      { text: "insert into client_t values (2, 'rolled back')", params: [] },
      { text: "insert into client_t values (1, 'duplicate')", params: [] },
    ];
    const error = await sameError(
      ep.sql.transaction(statements.map((s) => ep.sql.query(s.text, s.params))),
      lean.transaction(statements),
    );
    expect(error).toMatchObject({ code: "23505", constraint: "client_t_pkey" });
    expect(await same("select id, tag from client_t order by id")).toEqual([
      { id: 1, tag: "seed" },
    ]);
  });
});

describe("errors", () => {
  const statements: [string, unknown[]][] = [
    ["selec 1", []],
    ["select * from nope", []],
    ["insert into client_t values (1, null)", []],
    ["select $1::int", ["abc"]],
    ["select $1::int", []],
    ["select 1; select 2", []],
    ["select 1/0", []],
  ];

  it.each(statements)("%s: a NeonDbError with the same fields", async (text, params) => {
    await sameError(ep.sql.query(text, params), lean.query(text, params));
  });

  it("another status is a server error with the body's text", async () => {
    fakeFetch = async () => new Response("response is too large", { status: 507 });
    try {
      const error = await sameError(ep.sql.query("select 1"), lean.query("select 1"));
      expect(error.message).toBe("Server error (HTTP status 507): response is too large");
    } finally {
      fakeFetch = undefined;
    }
  });

  it("a failed fetch is a connection error carrying its cause", async () => {
    const cause = new TypeError("fetch failed");
    fakeFetch = () => Promise.reject(cause);
    try {
      const error = await sameError(ep.sql.query("select 1"), lean.query("select 1"));
      expect(error.message).toBe("Error connecting to database: TypeError: fetch failed");
      expect(error.sourceError).toBe(cause);
    } finally {
      fakeFetch = undefined;
    }
  });

  it("a batch answer without results is an internal error", async () => {
    fakeFetch = async () => Response.json({});
    try {
      await sameError(
        ep.sql.transaction([ep.sql.query("select 1")]),
        lean.transaction([{ text: "select 1", params: [] }]),
      );
    } finally {
      fakeFetch = undefined;
    }
  });
});

describe("array literal parser", () => {
  it("rejects malformed text instead of looping or guessing", () => {
    for (const text of ["{", "{a", '{"a', "{a}x", "a}", '{"a"b}']) {
      expect(() => parseArray(text), text).toThrow(SyntaxError);
    }
  });
});
