import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsClient } from "aws4fetch";
import { afterAll, beforeAll } from "vitest";
import { type LocalS3, startLocalS3 } from "../../scripts/local-s3/server";

export const BUCKET = "linkbase";
export const REGION = "us-east-1";
export const KEY_ID = "local-key";
export const SECRET = "local-secret";
export const OPTIONS = {
  bucket: BUCKET,
  region: REGION,
  accessKeyId: KEY_ID,
  secretAccessKey: SECRET,
};

/** The client the Worker uses, with these credentials unless overridden. */
export const client = (overrides: Partial<ConstructorParameters<typeof AwsClient>[0]> = {}) =>
  new AwsClient({
    accessKeyId: KEY_ID,
    secretAccessKey: SECRET,
    service: "s3",
    region: REGION,
    retries: 0,
    ...overrides,
  });

/**
 * Starts a local S3 server in a temporary folder for the file's tests and stops it after.
 *
 * @example
 * const local = useLocalS3("s3-auth");
 * it("…", () => fetch(local.url("docs/a.txt")));
 */
export function useLocalS3(name: string) {
  const state = {
    s3: undefined as unknown as LocalS3,
    dataDir: "",
    /** Path-style URL of `key` (each segment encoded) plus an optional query. */
    url: (key: string, query = "") =>
      `${state.s3.endpoint}/${BUCKET}/${key.split("/").map(encodeURIComponent).join("/")}${query}`,
  };
  beforeAll(async () => {
    state.dataDir = await mkdtemp(join(tmpdir(), `${name}-`));
    state.s3 = await startLocalS3({ port: 0, dataDir: state.dataDir, ...OPTIONS });
  });
  afterAll(async () => {
    await state.s3?.close();
    await rm(state.dataDir, { recursive: true, force: true });
  });
  return state;
}
