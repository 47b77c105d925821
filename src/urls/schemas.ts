import * as z from "zod";
import { RAW_TEXT } from "../app";
import { MAX_URL_LENGTH, MAX_URLS_PER_REQUEST, URL_STATUSES } from "./constants";

// Length is checked again after normalization (address.ts); this bound only keeps bodies sane.
const UrlText = z
  .string()
  .min(1)
  .max(MAX_URL_LENGTH * 2)
  .openapi({ example: "https://example.com/guide" });

/** `{url}` for one, `{urls:[…]}` for up to a hundred. */
export const UrlCreate = z
  .union([
    z.strictObject({ url: UrlText }),
    z.strictObject({ urls: z.array(UrlText).min(1).max(MAX_URLS_PER_REQUEST) }),
  ])
  .openapi("UrlCreate");

export const UrlStatusSchema = z.enum(URL_STATUSES).openapi("UrlStatus");

export const UrlExtraction = z
  .object({
    method: z.enum(["content", "fallback", "none"]).openapi({
      description: "`fallback`: selection kept too little, so the whole page was taken",
    }),
    text_chars: z.number().int(),
    ratio: z.number().openapi({ description: "Share of the page's text extracted" }),
  })
  .openapi("UrlExtraction");

export const Url = z
  .object({
    id: z.uuid(),
    url: z.string(),
    normalized_url: z.string(),
    status: UrlStatusSchema,
    title: z.string().nullable().openapi({ description: RAW_TEXT }),
    // As the page states them: meta, Open Graph, JSON-LD.
    description: z.string().nullable().openapi({ description: RAW_TEXT }),
    language: z.string().nullable(),
    published_at: z.string().nullable(),
    site_name: z.string().nullable().openapi({ description: RAW_TEXT }),
    extraction: UrlExtraction.nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    http_status: z.number().int().nullable(),
    content_type: z.string().nullable(),
    content_hash: z.string().nullable(),
    bytes: z.number().int().nullable(),
    chunk_count: z.number().int(),
    fetched_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Url");

export const UrlItems = z.object({ items: z.array(Url) }).openapi("UrlItems");

export const UrlListQuery = z.object({
  status: UrlStatusSchema.optional().openapi({ description: "Only urls in this state" }),
});

export const UrlIdParams = z.object({ project_id: z.uuid(), url_id: z.uuid() });

export type UrlCreate = z.infer<typeof UrlCreate>;
export type Url = z.infer<typeof Url>;
