import * as messages from "./messages";

/** Where a url's raw snapshot lives: by project, url and content hash. */
export function snapshotKey(projectId: string, urlId: string, contentHash: string): string {
  return `${urlPrefix(projectId, urlId)}${contentHash}`;
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
  return messages.sendMessages(
    queue,
    prefixes.map((prefix) => ({ kind: "delete-prefix", prefix })),
  );
}
