import * as z from "zod";
import { int32, Timestamp, Uuid } from "../schemas";
import { MAX_URL_LENGTH } from "../urls/constants";
import {
  ATTEMPT_ERROR_MAX,
  ATTEMPT_LOG_LENGTH,
  DELIVERY_STATUSES,
  SECRET_BYTES,
  SECRET_PREFIX,
  WEBHOOK_EVENTS,
} from "./constants";

export const WebhookEventSchema = z.enum(WEBHOOK_EVENTS).openapi("WebhookEvent", {
  description: "`url.gone` and `source.synced` are emitted once sources exist",
});

const Events = z.array(WebhookEventSchema).min(1).max(WEBHOOK_EVENTS.length);

export const WebhookCreate = z
  .strictObject({
    url: z.string().min(1).max(MAX_URL_LENGTH).openapi({
      description: "The receiver; the same address rules as pages (no private or metadata hosts)",
    }),
    events: Events.refine((events) => new Set(events).size === events.length, {
      message: "events must be distinct",
    }),
  })
  .openapi("WebhookCreate");

export const Webhook = z
  .object({
    id: Uuid,
    url: z.string().max(MAX_URL_LENGTH),
    events: Events,
    enabled: z.boolean(),
    disabled_reason: z.string().max(200).nullable().openapi({
      description: "Why deliveries stopped: sustained failure, or a target no longer allowed",
    }),
    created_at: Timestamp,
  })
  .openapi("Webhook");

// `whsec_` + base64 of the secret's bytes.
const SECRET_LENGTH = SECRET_PREFIX.length + Math.ceil(SECRET_BYTES / 3) * 4;

export const WebhookCreated = Webhook.extend({
  secret: z.string().max(SECRET_LENGTH).openapi({
    description: "Shown only once: `whsec_…`, the Standard Webhooks signing secret",
  }),
}).openapi("WebhookCreated");

export const DeliveryAttempt = z
  .object({
    at: Timestamp,
    status_code: int32(100, 599).nullable().openapi({ description: "Null: no HTTP answer" }),
    error: z.string().max(ATTEMPT_ERROR_MAX).nullable(),
  })
  .openapi("WebhookDeliveryAttempt");

export const Delivery = z
  .object({
    id: Uuid.openapi({ description: "The `webhook-id` header of every attempt" }),
    event: WebhookEventSchema,
    status: z.enum(DELIVERY_STATUSES),
    attempts: int32(),
    last_status_code: int32(100, 599).nullable(),
    attempt_log: z
      .array(DeliveryAttempt)
      .max(ATTEMPT_LOG_LENGTH)
      .openapi({ description: "The latest attempts, oldest first" }),
    next_attempt_at: Timestamp.nullable(),
    delivered_at: Timestamp.nullable(),
    created_at: Timestamp,
  })
  .openapi("WebhookDelivery");

export const WebhookParams = z.object({ project_id: Uuid, webhook_id: Uuid });

export type WebhookCreate = z.infer<typeof WebhookCreate>;
export type Webhook = z.infer<typeof Webhook>;
export type WebhookCreated = z.infer<typeof WebhookCreated>;
export type Delivery = z.infer<typeof Delivery>;
