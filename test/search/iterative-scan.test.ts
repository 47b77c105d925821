import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/config";
import { getDb, type SQL, sql, transaction } from "../../src/database";
import { HNSW_EF_SEARCH } from "../../src/search/constants";
import type { SearchResult } from "../../src/search/schemas";
import { searchStatement, semanticBatch } from "../../src/search/service";
import { createEmbedder, LOCAL_MODEL, toVectorLiteral } from "../../src/vectorization/embedders";
import { query, seedProject } from "../projects/fixtures";
import { createUser } from "../support/factories";
import { GUIDE, seedDocument } from "./seed";

// The planner takes an exact scan for tables this small; these settings make it walk the HNSW
// index, as it does on a large table, so the filter-starvation case can be shown.
const FORCE_HNSW = [
  sql`set local enable_seqscan = off`,
  sql`set local enable_bitmapscan = off`,
  sql`set local enable_sort = off`,
];

async function run(statements: SQL[]) {
  return transaction(getDb(env as unknown as Env), statements);
}

describe("semantic search on the HNSW index", () => {
  it("walks past other projects' nearer neighbours instead of returning too few (iterative scan)", async () => {
    const owner = await createUser();
    const mine = await seedProject(owner.id);
    const crowd = await seedProject(owner.id);
    const guide = await seedDocument(mine.projectId, GUIDE);
    // More near-duplicates of the query in another project than one graph walk (ef_search)
    // visits: without iterative scan every candidate is filtered out.
    await seedDocument(crowd.projectId, {
      title: "Crowd",
      sections: Array.from({ length: 3 * HNSW_EF_SEARCH }, (_, i) => ({
        headingPath: [],
        text: `rotate API keys and revoke the old credential, copy ${i}`,
      })),
    });
    const q = "rotate API keys and revoke the old credential";
    const [vector] = await createEmbedder({ provider: "local" }).embed([q]);
    const statement = searchStatement({
      access: sql`select ${mine.projectId}::uuid as project_id, 'viewer'::text as role`,
      input: { query: q, mode: "semantic", top_k: 5 },
      vector: toVectorLiteral(vector as number[]),
      model: LOCAL_MODEL,
    });

    const plan = (await run([...FORCE_HNSW, ...semanticBatch(sql`explain ${statement}`)])).at(-1);
    expect(JSON.stringify(plan)).toContain("Index Scan using chunks_embedding_hnsw_idx");

    const [withScan] = (await run([...FORCE_HNSW, ...semanticBatch(statement)])).at(-1) as {
      results: SearchResult[];
    }[];
    expect(withScan?.results).toHaveLength(5);
    expect(withScan?.results[0]?.chunk_id).toBe(guide.chunks[2]?.id);
    expect(withScan?.results.every((r) => r.url.id === guide.urlId)).toBe(true);

    // The control: the same walk without iterative scan finds none of this project's chunks.
    const [, , without] = semanticBatch(statement);
    const [starved] = (
      await run([
        ...FORCE_HNSW,
        sql`set local hnsw.iterative_scan = off`,
        sql.raw(`set local hnsw.ef_search = ${HNSW_EF_SEARCH}`),
        without as SQL,
      ])
    ).at(-1) as { results: SearchResult[] }[];
    expect(starved?.results.length).toBeLessThan(5);

    await query(sql`delete from projects where id in (${mine.projectId}, ${crowd.projectId})`);
  });
});
