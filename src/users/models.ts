import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    name: text("name"),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ["user", "admin"] })
      .notNull()
      .default("user"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Emails match case-insensitively; the unique index makes concurrent registrations safe.
    uniqueIndex("users_email_lower_idx").on(sql`lower(${t.email})`),
    index("users_created_idx").on(t.createdAt, t.id),
    check("users_role_check", sql`${t.role} in ('user', 'admin')`),
  ],
);
