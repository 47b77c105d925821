export const ErrorCode = {
  CHUNK_NOT_FOUND: "CHUNK_NOT_FOUND",
} as const;

/** Longest heading kept in a chunk's `heading_path`; longer ones are cut (ingestion/pipeline.ts). */
export const HEADING_MAX = 1000;
/** Headings nest `<h1>`…`<h6>` deep at most, so a heading path has at most six entries. */
export const HEADING_PATH_MAX = 6;
