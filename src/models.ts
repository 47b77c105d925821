/** Every table, for drizzle-kit and for code that needs the whole schema. */
export * from "./auth/models";
export * from "./chunks/models";
export * from "./ingestion/models";
export * from "./projects/models";
export * from "./shares/models";
export * from "./urls/models";
export * from "./users/models";
export * from "./vectorization/models";
export * from "./webhooks/models";
