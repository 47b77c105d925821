// Applies migrations/ to the database in DATABASE_URL (e.g. Neon) over the serverless HTTP driver.
import { applyMigrations } from "./local-stack";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("Set DATABASE_URL to the Postgres (Neon) connection string to migrate.");
  process.exit(1);
}
await applyMigrations(databaseUrl, process.env.DATABASE_HTTP_ENDPOINT);
console.log("Migrations applied.");
