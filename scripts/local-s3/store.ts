import { createHash, randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What is kept about an object besides its bytes. */
export interface ObjectMeta {
  key: string;
  size: number;
  /** Hex MD5 of the body, without quotes (single-part uploads only, as on S3). */
  etag: string;
  lastModified: string;
  contentType: string;
  /** Stored representation headers, e.g. `content-disposition`, `cache-control`. */
  headers: Record<string, string>;
  /** User metadata without the `x-amz-meta-` prefix. */
  metadata: Record<string, string>;
}

export type NewObject = Pick<ObjectMeta, "contentType" | "headers" | "metadata">;

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Objects on disk, one `<sha256(key)>.bin` + `.json` pair per key under `<dataDir>/<bucket>/`,
 * so any key (slashes, `..`, 1024 bytes of unicode) maps to a safe file name. An in-memory
 * index built at open serves listings; this process must be the directory's only writer.
 *
 * @example
 * const store = await DiskStore.open(".data/s3");
 * await store.put("linkbase", "a/b.txt", Buffer.from("hi"), { contentType: "text/plain", headers: {}, metadata: {} });
 */
export class DiskStore {
  private readonly buckets = new Map<string, Map<string, ObjectMeta>>();
  private readonly sorted = new Map<string, ObjectMeta[]>();
  private readonly locks = new Map<string, Promise<unknown>>();

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<DiskStore> {
    const store = new DiskStore(dir);
    await mkdir(dir, { recursive: true });
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || !BUCKET_NAME.test(entry.name)) continue;
      const index = new Map<string, ObjectMeta>();
      for (const file of await readdir(join(dir, entry.name))) {
        if (!file.endsWith(".json")) continue;
        const meta = JSON.parse(await readFile(join(dir, entry.name, file), "utf8")) as ObjectMeta;
        index.set(meta.key, meta);
      }
      store.buckets.set(entry.name, index);
    }
    return store;
  }

  static isValidBucketName(name: string): boolean {
    return BUCKET_NAME.test(name) && !name.includes("..");
  }

  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  bucketNames(): string[] {
    return [...this.buckets.keys()].sort();
  }

  async createBucket(bucket: string): Promise<void> {
    if (this.buckets.has(bucket)) return;
    await mkdir(join(this.dir, bucket), { recursive: true });
    this.buckets.set(bucket, new Map());
  }

  head(bucket: string, key: string): ObjectMeta | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  async read(bucket: string, key: string): Promise<{ meta: ObjectMeta; body: Buffer } | undefined> {
    const meta = this.head(bucket, key);
    if (!meta) return undefined;
    try {
      return { meta, body: await readFile(this.path(bucket, key, "bin")) };
    } catch {
      return undefined; // deleted between the index lookup and the read
    }
  }

  put(bucket: string, key: string, body: Uint8Array, object: NewObject): Promise<ObjectMeta> {
    return this.serialise(bucket, key, async () => {
      const meta: ObjectMeta = {
        key,
        size: body.byteLength,
        etag: createHash("md5").update(body).digest("hex"),
        lastModified: new Date().toISOString(),
        ...object,
      };
      // Write-then-rename so a crash never leaves a half-written object behind.
      const tmp = join(this.dir, bucket, `.tmp-${randomUUID()}`);
      await writeFile(`${tmp}.bin`, body);
      await rename(`${tmp}.bin`, this.path(bucket, key, "bin"));
      await writeFile(`${tmp}.json`, JSON.stringify(meta));
      await rename(`${tmp}.json`, this.path(bucket, key, "json"));
      this.index(bucket).set(key, meta);
      this.sorted.delete(bucket);
      return meta;
    });
  }

  delete(bucket: string, key: string): Promise<boolean> {
    return this.serialise(bucket, key, async () => {
      const existed = this.index(bucket).delete(key);
      this.sorted.delete(bucket);
      await rm(this.path(bucket, key, "json"), { force: true });
      await rm(this.path(bucket, key, "bin"), { force: true });
      return existed;
    });
  }

  /** All objects of a bucket in S3 order: by the UTF-8 bytes of the key. */
  list(bucket: string): readonly ObjectMeta[] {
    let sorted = this.sorted.get(bucket);
    if (!sorted) {
      sorted = [...this.index(bucket).values()].sort((a, b) =>
        Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)),
      );
      this.sorted.set(bucket, sorted);
    }
    return sorted;
  }

  private index(bucket: string): Map<string, ObjectMeta> {
    const index = this.buckets.get(bucket);
    if (!index) throw new Error(`bucket ${bucket} does not exist`);
    return index;
  }

  private path(bucket: string, key: string, ext: "bin" | "json"): string {
    return join(this.dir, bucket, `${createHash("sha256").update(key).digest("hex")}.${ext}`);
  }

  /** Runs writes to one key one after another so the .bin/.json pair stays consistent. */
  private async serialise<T>(bucket: string, key: string, task: () => Promise<T>): Promise<T> {
    const id = `${bucket}/${key}`;
    const prior = this.locks.get(id) ?? Promise.resolve();
    const run = prior.then(task, task);
    const settled = run.catch(() => undefined);
    this.locks.set(id, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === settled) this.locks.delete(id);
    }
  }
}
