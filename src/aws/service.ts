import { type Env, getConfig } from "../config";
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
