import * as z from "zod";
import { RAW_TEXT } from "../app";
import {
  LANGUAGE_TAG,
  MAX_DESCRIPTION_CHARS,
  MAX_LANGUAGE_CHARS,
  MAX_SITE_NAME_CHARS,
} from "../extraction/metadata";
import { Int64, int32, Timestamp, Uuid } from "../schemas";
import {
  ACCEPTED_CONTENT_TYPES,
  MAX_URL_LENGTH,
  MAX_URLS_PER_REQUEST,
  type PageContentType,
  TITLE_MAX,
  URL_ERROR_MESSAGE_MAX,
  URL_STATUSES,
} from "./constants";

const PAGE_CONTENT_TYPES = [...new Set(Object.values(ACCEPTED_CONTENT_TYPES))] as [
  PageContentType,
  ...PageContentType[],
];

// Length is checked again after normalization (address.ts); this bound only keeps bodies sane.
export const UrlText = z
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
  .openapi("UrlCreate", { example: { urls: ["https://example.com/guide"] } });

export const UrlStatusSchema = z.enum(URL_STATUSES).openapi("UrlStatus");

export const UrlExtraction = z
  .object({
    method: z.enum(["content", "fallback", "none"]).openapi({
      description: "`fallback`: selection kept too little, so the whole page was taken",
    }),
    text_chars: int32().openapi({ description: "Characters of extracted text" }),
    ratio: z.number().min(0).max(1).openapi({ description: "Share of the page's text extracted" }),
  })
  .openapi("UrlExtraction");
/** A failure's code and message, as `error` and `last_error` show it. */
const UrlError = z.object({
  code: z
    .string()
    .max(64)
    .regex(/^[A-Z][A-Z0-9_]*$/),
  message: z.string().max(URL_ERROR_MESSAGE_MAX),
});

export const Url = z
  .object({
    id: Uuid,
    url: UrlText.openapi({ description: "As it was added" }),
    normalized_url: z.url().max(MAX_URL_LENGTH),
    status: UrlStatusSchema,
    source_id: Uuid.nullable().openapi({
      description: "The source that found the url; null for urls added by hand",
    }),
    title: z.string().max(TITLE_MAX).nullable().openapi({ description: RAW_TEXT }),
    // As the page states them: meta, Open Graph, JSON-LD; null where it states nothing.
    description: z
      .string()
      .max(MAX_DESCRIPTION_CHARS)
      .nullable()
      .openapi({ description: RAW_TEXT }),
    language: z
      .string()
      .max(MAX_LANGUAGE_CHARS)
      .regex(LANGUAGE_TAG)
      .nullable()
      .openapi({ description: "BCP 47 tag the page declares", example: "pt-BR" }),
    published_at: Timestamp.nullable().openapi({
      description: "When the page says it was published",
    }),
    site_name: z.string().max(MAX_SITE_NAME_CHARS).nullable().openapi({ description: RAW_TEXT }),
    extraction: UrlExtraction.nullable().openapi({
      description: "How the last extraction went; null before the first",
    }),
    error: UrlError.nullable().openapi({
      description: "Why the url failed; set only when `status` is `failed`",
    }),
    attempts: int32().openapi({
      description:
        "Ingest attempts started since the url was last queued (by adding, refresh or the cron)",
    }),
    last_error: UrlError.extend({ at: Timestamp }).nullable().openapi({
      description:
        "The latest failure: while `queued` it is the reason of the retry to come; on a `ready` url it is a refresh that failed while the previous version stays searchable. Cleared when the url is indexed again.",
    }),
    http_status: int32(100, 599).nullable(),
    content_type: z.enum(PAGE_CONTENT_TYPES).nullable(),
    content_hash: z
      .string()
      .max(64)
      .regex(/^[0-9a-f]{64}$/)
      .nullable()
      .openapi({ description: "SHA-256 of the stored page, hex" }),
    bytes: Int64.nullable(),
    chunk_count: int32(),
    fetched_at: Timestamp.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Url");

export const UrlItems = z
  .object({ items: z.array(Url).max(MAX_URLS_PER_REQUEST) })
  .openapi("UrlItems");

export const UrlListQuery = z.object({
  status: UrlStatusSchema.optional().openapi({ description: "Only urls in this state" }),
});

export const UrlIdParams = z.object({ project_id: Uuid, url_id: Uuid });

export type UrlCreate = z.infer<typeof UrlCreate>;
export type Url = z.infer<typeof Url>;
