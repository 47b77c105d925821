/**
 * Postgres values in text form, both ways, exactly as `@neondatabase/serverless` 1.2.0 does it:
 * parameters as pg's `prepareValue` writes them, results as its bundled pg-types 2 parses them.
 * Covered: every type this Worker reads (bool, int2/int4/oid, int8, float4/float8, numeric,
 * json/jsonb, date/timestamp/timestamptz and arrays of them and of text-like types). Types the
 * driver would turn into Buffers, intervals or points are refused rather than returned as text
 * the caller would not expect: cast them in SQL (`::text`, `extract(epoch from …)`).
 */

type Parser = (text: string) => unknown;

/**
 * A parameter as the driver sends it: null stays null, a Date is local time with its offset,
 * an array a Postgres array literal, any other object its JSON, anything else `String(value)`.
 */
export function prepareValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return dateToString(value);
  if (Array.isArray(value)) return arrayLiteral(value);
  if (ArrayBuffer.isView(value)) throw new TypeError("bytea parameters are not supported");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** `{"a","b\"c",NULL,{"1","2"}}`: every element quoted, nested arrays as nested braces. */
function arrayLiteral(values: readonly unknown[]): string {
  // Array.from, unlike map, visits holes: the driver writes them as NULL too.
  const elements = Array.from(values, (value) => {
    if (Array.isArray(value)) return arrayLiteral(value);
    const text = prepareValue(value);
    return text === null ? "NULL" : `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  });
  return `{${elements.join(",")}}`;
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** `2024-01-01T22:04:05.678-05:00`, in the runtime's zone (UTC on Workers); ` BC` for year ≤ 0. */
function dateToString(date: Date): string {
  let year = date.getFullYear();
  const bc = year < 1;
  if (bc) year = Math.abs(year) + 1;
  const offset = -date.getTimezoneOffset();
  const zone = `${offset < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return (
    `${pad(year, 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `.${pad(date.getMilliseconds(), 3)}${zone}${bc ? " BC" : ""}`
  );
}

const parseBool: Parser = (text) => text === "t";
const parseInteger: Parser = (text) => Number.parseInt(text, 10);
const parseJson: Parser = (text) => JSON.parse(text);

const TIMESTAMP = /(\d{1,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,})?.*?( BC)?$/;
const DATE = /^(\d{1,})-(\d{2})-(\d{2})( BC)?$/;
const ZONE = /([Z+-])(\d{2})?:?(\d{2})?:?(\d{2})?/;

/**
 * `date`, `timestamp` and `timestamptz` text to a Date (postgres-date 1): with an offset in the
 * text at that offset, without one in the runtime's zone; `infinity` to ±Infinity; BC years as
 * negative (astronomical) years.
 */
function parseDate(text: string): Date | number | null {
  if (/^-?infinity$/.test(text)) return Number(text.replace("i", "I"));
  const match = TIMESTAMP.exec(text);
  if (!match) return parseDateOnly(text);
  const year = toYear(match[1] as string, match[8]);
  const parts = [
    Number.parseInt(match[2] as string, 10) - 1,
    Number(match[3]),
    Number.parseInt(match[4] as string, 10),
    Number.parseInt(match[5] as string, 10),
    Number.parseInt(match[6] as string, 10),
    match[7] ? 1000 * Number.parseFloat(match[7]) : 0,
  ] as const;
  const offset = zoneOffsetMs(text);
  if (offset === undefined) return withYear(new Date(year, ...parts), year, false);
  const date = withYear(new Date(Date.UTC(year, ...parts)), year, true);
  if (offset !== 0) date.setTime(date.getTime() - offset);
  return date;
}

function parseDateOnly(text: string): Date | null {
  const match = DATE.exec(text);
  if (!match) return null;
  const year = toYear(match[1] as string, match[4]);
  const date = new Date(year, Number.parseInt(match[2] as string, 10) - 1, Number(match[3]));
  return withYear(date, year, false);
}

/** 1 BC is year 0, 2 BC year -1. */
function toYear(digits: string, bc: string | undefined): number {
  const year = Number.parseInt(digits, 10);
  return bc ? 1 - year : year;
}

/** `Date` reads years 0–99 as 1900–1999; set them again. */
function withYear(date: Date, year: number, utc: boolean): Date {
  if (year >= 0 && year < 100) {
    if (utc) date.setUTCFullYear(year);
    else date.setFullYear(year);
  }
  return date;
}

/** The text's UTC offset in ms (`+05:30` → 19 800 000), or undefined without one. */
function zoneOffsetMs(text: string): number | undefined {
  if (text.endsWith("+00")) return 0;
  const match = ZONE.exec(text.split(" ")[1] ?? "");
  if (!match) return undefined;
  if (match[1] === "Z") return 0;
  const seconds =
    Number.parseInt(match[2] as string, 10) * 3600 +
    Number.parseInt(match[3] || "0", 10) * 60 +
    Number.parseInt(match[4] || "0", 10);
  return (match[1] === "-" ? -1 : 1) * seconds * 1000;
}

/**
 * An array's text (`{a,"b,c",NULL,"NULL"}`, `{{1,2},{3,4}}`, `[0:1]={…}`) to nested arrays,
 * each element through `element`; an unquoted NULL is null.
 */
export function parseArray(text: string, element: Parser = (value) => value): unknown[] {
  // A lower bound other than 1 prefixes the dimensions (`[0:1]={…}`); they are dropped.
  let at = text.startsWith("[") ? text.indexOf("=") + 1 : 0;
  const expect = (char: string) => {
    if (text[at] !== char) throw new SyntaxError(`Malformed array literal: ${text}`);
  };
  const list = (): unknown[] => {
    expect("{");
    at++;
    const items: unknown[] = [];
    if (text[at] === "}") {
      at++;
      return items;
    }
    for (;;) {
      if (text[at] === "{") items.push(list());
      else if (text[at] === '"') items.push(element(quoted()));
      else {
        const start = at;
        while (at < text.length && text[at] !== "," && text[at] !== "}") at++;
        const raw = text.slice(start, at);
        items.push(raw === "NULL" ? null : element(raw));
      }
      if (text[at] === "}") {
        at++;
        return items;
      }
      expect(",");
      at++;
    }
  };
  const quoted = (): string => {
    let value = "";
    for (at++; text[at] !== '"'; at++) {
      if (text[at] === "\\") at++;
      if (at >= text.length) expect('"');
      value += text[at];
    }
    at++;
    return value;
  };
  const items = list();
  if (at !== text.length) throw new SyntaxError(`Malformed array literal: ${text}`);
  return items;
}

const arrayOf =
  (element?: Parser): Parser =>
  (text) =>
    parseArray(text, element);

/**
 * Parsers by type OID, as pg-types 2 registers them for text results. int8 and numeric stay
 * strings (no parser): JavaScript numbers would lose digits. Yet numeric[] parses to floats.
 */
const PARSERS = new Map<number, Parser>([
  [16, parseBool],
  [21, parseInteger],
  [23, parseInteger],
  [26, parseInteger],
  [700, Number.parseFloat],
  [701, Number.parseFloat],
  [114, parseJson],
  [3802, parseJson],
  [1082, parseDate],
  [1114, parseDate],
  [1184, parseDate],
  [1000, arrayOf(parseBool)],
  ...[1005, 1007, 1028].map((oid) => [oid, arrayOf(parseInteger)] as const),
  ...[1021, 1022, 1231].map((oid) => [oid, arrayOf(Number.parseFloat)] as const),
  ...[199, 3807].map((oid) => [oid, arrayOf(parseJson)] as const),
  ...[1115, 1182, 1185].map((oid) => [oid, arrayOf(parseDate)] as const),
  // int8[], text-like arrays (text, varchar, bpchar, uuid, inet, cidr, macaddr, money, time, …).
  ...[1016, 1009, 1015, 1014, 2951, 1008, 1040, 1041, 651, 791, 1183, 1270, 3907].map(
    (oid) => [oid, arrayOf()] as const,
  ),
]);

/** bytea, interval, point, circle and their arrays: the driver returns objects for them. */
const UNSUPPORTED = new Set([17, 1001, 1186, 1187, 600, 1017, 718]);

const identity: Parser = (text) => text;

/** The parser for a column of type `oid`; an unknown type (an enum, `vector`) stays text. */
export function parseValue(oid: number): Parser {
  if (UNSUPPORTED.has(oid)) {
    throw new TypeError(`Columns of type OID ${oid} are not supported: cast them in SQL`);
  }
  return PARSERS.get(oid) ?? identity;
}
