import * as z from "zod";
import { RAW_TEXT } from "../app";

export const UrlChunksParams = z.object({ project_id: z.uuid(), url_id: z.uuid() });
export const ChunkParams = z.object({ project_id: z.uuid(), chunk_id: z.uuid() });

export const UrlRef = z
  .object({
    id: z.uuid(),
    url: z.string(),
    title: z.string().nullable().openapi({ description: RAW_TEXT }),
  })
  .openapi("UrlRef");

export const Chunk = z
  .object({
    id: z.uuid(),
    position: z.number().int().openapi({ description: "0-based order in the document" }),
    text: z.string().openapi({ description: RAW_TEXT }),
    heading_path: z
      .array(z.string())
      .openapi({ description: "Enclosing headings, outermost first; plain text like `text`" }),
    token_count: z.number().int(),
  })
  .openapi("Chunk");

export const ChunkWithUrl = Chunk.extend({ url: UrlRef }).openapi("ChunkWithUrl");

export type Chunk = z.infer<typeof Chunk>;
export type ChunkWithUrl = z.infer<typeof ChunkWithUrl>;
