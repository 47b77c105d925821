/**
 * Response side of the protocol (spec §2): one result object per statement, rows as arrays or
 * objects, values as raw Postgres text or (for non-driver clients) JSON-typed values.
 */
import type { FieldInfo, RawResult } from "./protocol";

export interface ResultObject {
  fields: FieldInfo[];
  rows: unknown[];
  command: string;
  rowCount: number | null;
  rowAsArray: boolean;
}

/**
 * Shapes a backend result as Neon does. The driver always asks for array mode and raw text.
 *
 * @example
 * shapeResult(raw, true, true); // { fields, rows: [["1"]], command: "SELECT", rowCount: 1, rowAsArray: true }
 */
export function shapeResult(raw: RawResult, arrayMode: boolean, rawText: boolean): ResultObject {
  const convert = rawText ? null : raw.fields.map((f) => jsonConverter(f.dataTypeID));
  const rows = raw.rows.map((row) => {
    const values = convert ? row.map((v, i) => (v === null ? null : (convert[i] ?? id)(v))) : row;
    if (arrayMode) return values;
    const obj: Record<string, unknown> = {};
    raw.fields.forEach((f, i) => {
      obj[f.name] = values[i];
    });
    return obj;
  });
  return {
    fields: raw.fields,
    rows,
    command: raw.command,
    rowCount: raw.rowCount,
    rowAsArray: arrayMode,
  };
}

const id = (v: string): unknown => v;

/**
 * Neon's JSON conversion when `Neon-Raw-Text-Output` is off (proxy json.rs). Array types stay
 * text here, unlike Neon, which converts them element by element.
 */
function jsonConverter(oid: number): (v: string) => unknown {
  switch (oid) {
    case 16: // bool
      return (v) => v === "t";
    case 21: // int2
    case 23: // int4
      return Number;
    case 700: // float4
    case 701: // float8
      return (v) => (/^-?(NaN|Infinity)$/.test(v) ? v : Number(v));
    case 114: // json
    case 3802: // jsonb
      return (v) => JSON.parse(v);
    default:
      return id;
  }
}
