/**
 * Chunks re-embedded per queue message. Each carries a 384-d vector back as text (~4 KB), so a
 * batch's update stays a few hundred KB, and one message's work fits well inside a consumer run.
 */
export const REEMBED_BATCH_SIZE = 64;
