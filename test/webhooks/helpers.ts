import { expect } from "vitest";
import { eventually, site } from "../ingestion/helpers";
import { call, expectStatus } from "../support/api";

/** One request the test site's webhook receiver got (test/setup/test-site.ts). */
export interface Receipt {
  headers: Record<string, string>;
  body: string;
}

export interface CreatedWebhook {
  id: string;
  secret: string;
  url: string;
}

/** A receiver on the test site with a fresh name: its url and how to read or steer it. */
export function receiver(prefix = "hook") {
  const name = `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
  const control = site(`/_hooks/${name}`);
  return {
    url: site(`/hooks/${name}`),
    async received(): Promise<Receipt[]> {
      const body = (await (await fetch(control)).json()) as { received: Receipt[] };
      return body.received;
    },
    async answer(status: number) {
      expect((await fetch(control, { method: "PUT", body: JSON.stringify({ status }) })).ok).toBe(
        true,
      );
    },
    /** Waits until at least `count` requests arrived and returns them. */
    async waitFor(count: number, timeoutMs = 15_000): Promise<Receipt[]> {
      let got: Receipt[] = [];
      await eventually(
        async () => {
          got = await this.received();
          return got.length >= count;
        },
        timeoutMs,
        `${count} webhook requests at ${name}`,
      );
      return got;
    },
  };
}

export async function createWebhook(
  token: string,
  projectId: string,
  url: string,
  events: string[],
): Promise<CreatedWebhook> {
  return expectStatus<CreatedWebhook>(
    await call("POST", `/v1/projects/${projectId}/webhooks`, { token, body: { url, events } }),
    201,
  );
}

export interface DeliveryView {
  id: string;
  event: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  attempt_log: { at: string; status_code: number | null; error: string | null }[];
}

export async function deliveries(
  token: string,
  projectId: string,
  webhookId: string,
): Promise<DeliveryView[]> {
  const page = await expectStatus<{ items: DeliveryView[] }>(
    await call("GET", `/v1/projects/${projectId}/webhooks/${webhookId}/deliveries`, { token }),
    200,
  );
  return page.items;
}
