import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/config";
import { measureDatabase, sql } from "../../src/database";
import { refreshDueUrls } from "../../src/ingestion/scheduler";
import { query, seedProject } from "../projects/fixtures";
import { createUser } from "../support/factories";
import { addUrls, site, waitForUrl } from "./helpers";

describe("scheduled refresh", () => {
  it("re-enqueues urls older than their project's interval, and stuck ones, in one statement", async () => {
    const owner = await createUser();
    const token = owner.accessToken;
    const { projectId } = await seedProject(owner.id);
    const [due, fresh, stuck] = await addUrls(token, projectId, [
      site("/gen/901"),
      site("/gen/902"),
      site("/gen/903"),
    ]);
    const ids = [due, fresh, stuck].map((u) => u?.id ?? "");
    const before = await Promise.all(ids.map((id) => waitForUrl(token, projectId, id)));
    await query(sql`update projects set refresh_interval_hours = 24 where id = ${projectId}`);
    await query(sql`update urls set fetched_at = now() - interval '25 hours' where id = ${ids[0]}`);
    await query(
      sql`update urls set status = 'fetching', updated_at = now() - interval '2 hours'
          where id = ${ids[2]}`,
    );

    const { roundTrips } = await measureDatabase(() =>
      refreshDueUrls({} as ScheduledController, env as unknown as Env),
    );
    // The whole database, not just this project, is scanned: only assert our urls moved.
    expect(roundTrips).toBe(1);
    const [dueAfter, stuckAfter] = await Promise.all(
      [0, 2].map((i) =>
        waitForUrl(token, projectId, ids[i] ?? "", {
          done: (u) => u.status === "ready" && (u.fetched_at ?? "") > (before[i]?.fetched_at ?? ""),
        }),
      ),
    );
    expect(dueAfter?.content_hash).toBe(before[0]?.content_hash);
    expect(stuckAfter?.status).toBe("ready");
    const [freshRow] = await query<{ fetched_at: string }>(
      sql`select api_time(fetched_at) as fetched_at from urls where id = ${ids[1]}`,
    );
    expect(freshRow?.fetched_at).toBe(before[1]?.fetched_at);
  });
});
