import * as z from "zod";
import { RAW_TEXT } from "../app";
import { CHUNK_SIZE_MAX } from "../projects/constants";
import { int32, Uuid } from "../schemas";
import { MAX_URL_LENGTH, TITLE_MAX } from "../urls/constants";
import { HEADING_MAX, HEADING_PATH_MAX } from "./constants";

export const UrlChunksParams = z.object({ project_id: Uuid, url_id: Uuid });
export const ChunkParams = z.object({ project_id: Uuid, chunk_id: Uuid });

export const UrlRef = z
  .object({
    id: Uuid,
    url: z.string().max(MAX_URL_LENGTH * 2),
    title: z.string().max(TITLE_MAX).nullable().openapi({ description: RAW_TEXT }),
  })
  .openapi("UrlRef");

/** A chunk is a slice of at most `chunk_size` characters of the page text. */
export const ChunkText = z.string().max(CHUNK_SIZE_MAX);
export const HeadingPath = z
  .array(z.string().max(HEADING_MAX))
  .max(HEADING_PATH_MAX)
  .openapi({ description: "Enclosing headings, outermost first; plain text like `text`" });
export const Position = int32().openapi({ description: "0-based order in the document" });

export const Chunk = z
  .object({
    id: Uuid,
    position: Position,
    text: ChunkText.openapi({ description: RAW_TEXT }),
    heading_path: HeadingPath,
    token_count: int32(0, CHUNK_SIZE_MAX),
  })
  .openapi("Chunk");

export const ChunkWithUrl = Chunk.extend({ url: UrlRef }).openapi("ChunkWithUrl");

export type Chunk = z.infer<typeof Chunk>;
export type ChunkWithUrl = z.infer<typeof ChunkWithUrl>;
