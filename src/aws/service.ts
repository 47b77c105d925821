import { type Env, getConfig } from "../config";
import * as urlsMessages from "../urls/messages";
import { S3Client } from "./client";
import { s3Settings } from "./config";

const clients = new WeakMap<object, S3Client>();

/** The S3 client for this deployment's settings, one per `env`. */
export function getS3(env: Env): S3Client {
  let client = clients.get(env);
  if (!client) {
    client = new S3Client(s3Settings(getConfig(env)));
    clients.set(env, client);
  }
  return client;
}

/** Where a url's raw snapshot lives: by project, url and content hash. */
export function snapshotKey(projectId: string, urlId: string, contentHash: string): string {
  return `${projectPrefix(projectId)}urls/${urlId}/${contentHash}`;
}

export function projectPrefix(projectId: string): string {
  return `projects/${projectId}/`;
}

export function urlPrefix(projectId: string, urlId: string): string {
  return `${projectPrefix(projectId)}urls/${urlId}/`;
}

/**
 * Deletion of stored snapshots goes through the queue so S3 trouble is retried there instead of
 * failing (or orphaning objects of) the request that removed the rows.
 */
export function enqueuePrefixDeletion(queue: Queue<unknown>, prefixes: string[]) {
  return urlsMessages.sendMessages(
    queue,
    prefixes.map((prefix) => ({ kind: "delete-prefix", prefix })),
  );
}
