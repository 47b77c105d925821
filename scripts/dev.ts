// `npm run dev`: the local stack (database endpoint, S3) and `wrangler dev`, until Ctrl-C.
import { join } from "node:path";
import { startDevServer } from "./dev-server";

const port = Number(process.env.LINKBASE_PORT ?? 8787);
const dataDir = process.env.LOCAL_DATA_DIR ?? join(import.meta.dirname, "..", ".data");

const server = await startDevServer({
  port,
  dataDir,
  dbPort: Number(process.env.LOCAL_DB_PORT ?? 4444),
  s3Port: Number(process.env.LOCAL_S3_PORT ?? 4569),
  pgUrl: process.env.LOCAL_PG_URL,
  verbose: true,
  devVars: true,
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

console.log(`
Linkbase is running
  API            http://localhost:${port}/v1
  Reference      http://localhost:${port}/docs
  OpenAPI        http://localhost:${port}/openapi.json
  Database       ${server.stack.db.url} (round trips: ${server.stack.db.url.replace(/\/sql$/, "/stats")})
  S3             ${server.stack.s3.endpoint}/linkbase
  Data           ${dataDir}
Ctrl-C stops everything.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
