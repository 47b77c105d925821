/**
 * Chunks re-embedded per queue message. Each carries a 384-d vector back as text (~4 KB), so a
 * batch's update stays a few hundred KB, and one message's work fits well inside a consumer run.
 */
export const REEMBED_BATCH_SIZE = 64;

/**
 * A re-embedding chain whose heartbeat (one per batch) is older than this has died (its message
 * went to the dead-letter queue); the next POST …/vectorization starts a new one.
 */
export const REEMBED_STALE_MINUTES = 10;
