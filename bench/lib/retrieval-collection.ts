import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface Doc {
  id: number;
  title: string;
  /** The abstract, lines joined. */
  text: string;
}

export interface Query {
  id: number;
  text: string;
}

export interface Collection {
  docs: Doc[];
  queries: Query[];
  /** Query id → ids of the documents judged relevant to it. */
  relevant: Map<number, Set<number>>;
}

/** `.I <id>` records of `.<F>` fields, each field's lines joined by spaces. */
function records(text: string): { id: number; fields: Map<string, string> }[] {
  const out: { id: number; fields: Map<string, string> }[] = [];
  let field = "";
  for (const line of text.split("\n")) {
    const start = /^\.I\s+(\d+)/.exec(line);
    if (start) {
      out.push({ id: Number(start[1]), fields: new Map() });
      field = "";
      continue;
    }
    // Some markers carry trailing spaces (`.T `), as the collection's README warns.
    const marker = /^\.([A-Z])\s*$/.exec(line);
    if (marker) {
      field = marker[1] as string;
      continue;
    }
    const record = out.at(-1);
    if (!record || !field) continue;
    const previous = record.fields.get(field);
    record.fields.set(field, previous ? `${previous} ${line.trim()}` : line.trim());
  }
  return out;
}

/**
 * The CISI collection from `dir`: documents (title and abstract; `.X` cross-references and
 * authors left out), queries (`.T` prepended to `.W` when present) and binary judgements.
 *
 * @example
 * const { docs, queries, relevant } = loadCisi("../shared/bench-data/retrieval/cisi");
 */
export function loadCisi(dir: string): Collection {
  const docs = records(readFileSync(join(dir, "CISI.ALL"), "utf8")).map((r) => ({
    id: r.id,
    title: (r.fields.get("T") ?? "").trim(),
    text: (r.fields.get("W") ?? "").replace(/\s+/g, " ").trim(),
  }));
  const queries = records(readFileSync(join(dir, "CISI.QRY"), "utf8")).map((r) => ({
    id: r.id,
    text: [r.fields.get("T"), r.fields.get("W")]
      .filter(Boolean)
      .join(" ")
      .replace(/\s+/g, " ")
      .trim(),
  }));
  const relevant = new Map<number, Set<number>>();
  for (const line of readFileSync(join(dir, "CISI.REL"), "utf8").split("\n")) {
    const [q, d] = line.trim().split(/\s+/).map(Number);
    if (!q || !d) continue;
    if (!relevant.has(q)) relevant.set(q, new Set());
    relevant.get(q)?.add(d);
  }
  return { docs, queries, relevant };
}
