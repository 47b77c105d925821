import type { Config } from "../config";
import { ValidationFailed } from "../exceptions";

/**
 * The `max_pages` of a new source: as asked, at most the SOURCE_MAX_PAGES setting (a larger
 * value is a 422 naming `body.max_pages`); the setting when not given.
 *
 * @example
 * maxPagesFor(config, undefined); // 5000 by default
 */
export function maxPagesFor(config: Config, asked: number | undefined): number {
  const cap = config.SOURCE_MAX_PAGES;
  if (asked === undefined) return cap;
  if (asked > cap) {
    throw new ValidationFailed([
      { path: "body.max_pages", message: `must be at most ${cap} (SOURCE_MAX_PAGES)` },
    ]);
  }
  return asked;
}
