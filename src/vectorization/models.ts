import { pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { projects } from "../projects/models";

/**
 * A project's running re-embedding chain, at most one: POST …/vectorization joins a chain whose
 * heartbeat is recent instead of starting a second one.
 */
export const reembeds = pgTable("reembeds", {
  projectId: uuid("project_id")
    .primaryKey()
    .references(() => projects.id, { onDelete: "cascade" }),
  heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }).notNull().defaultNow(),
});
