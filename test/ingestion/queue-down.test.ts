import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Env, getConfig } from "../../src/config";
import { sql } from "../../src/database";
import { runCron } from "../../src/ingestion/scheduler";
import type { Url } from "../../src/urls/schemas";
import { query, seedProject } from "../projects/fixtures";
import { expectStatus } from "../support/api";
import { createUser } from "../support/factories";
import { addUrls, callQueueDown, getUrl, site, waitForUrl } from "./helpers";

const testEnv = env as unknown as Env;
const { INGEST_STUCK_AFTER_SECONDS } = getConfig(testEnv);

/** Ages a url past the stall deadline, as if its message had been lost that long ago. */
async function ageUrl(urlId: string) {
  await query(
    sql`update urls set updated_at = now() - make_interval(secs => ${INGEST_STUCK_AFTER_SECONDS + 60})
        where id = ${urlId}`,
  );
}

describe("adding urls with the queue down", () => {
  it("commits the url as queued, answers 202, and the cron's stall reaper ingests it later", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const res = await callQueueDown("POST", `/v1/projects/${projectId}/urls`, owner.accessToken, {
      url: site("/article"),
    });
    const { items } = await expectStatus<{ items: Url[] }>(res, 202);
    const urlId = items[0]?.id ?? "";
    expect((await getUrl(owner.accessToken, projectId, urlId)).status).toBe("queued");

    await ageUrl(urlId);
    await runCron({} as ScheduledController, testEnv);
    const url = await waitForUrl(owner.accessToken, projectId, urlId);
    expect(url.status).toBe("ready");
  });

  it("a refresh with the queue down answers 202 and the url is picked up the same way", async () => {
    const owner = await createUser();
    const { projectId } = await seedProject(owner.id);
    const [item] = await addUrls(owner.accessToken, projectId, [site("/article")]);
    const ready = await waitForUrl(owner.accessToken, projectId, item?.id ?? "");
    expect(ready.status).toBe("ready");

    const res = await callQueueDown(
      "POST",
      `/v1/projects/${projectId}/urls/${ready.id}/refresh`,
      owner.accessToken,
    );
    expect((await expectStatus<Url>(res, 202)).status).toBe("queued");

    await ageUrl(ready.id);
    await runCron({} as ScheduledController, testEnv);
    const refreshed = await waitForUrl(owner.accessToken, projectId, ready.id, {
      done: (url) => url.status === "ready" && url.fetched_at !== ready.fetched_at,
    });
    expect(refreshed.status).toBe("ready");
  });
});
