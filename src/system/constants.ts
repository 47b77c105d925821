/** How long a dependency may take before health calls it down. */
export const HEALTH_CHECK_TIMEOUT_MS = 3_000;
