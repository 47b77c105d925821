import type { Config } from "../config";
import { parseAllowHosts } from "./address";
import { DEFAULT_USER_AGENT, MAX_REDIRECTS } from "./constants";

export interface FetchSettings {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  allowHosts: ReadonlySet<string>;
  hostConcurrency: number;
}

const cache = new WeakMap<Config, FetchSettings>();

/**
 * The fetcher's settings from the validated config, parsed once per config object.
 *
 * @example
 * normalizeUrl(input, { allowHosts: fetchSettings(getConfig(env)).allowHosts });
 */
export function fetchSettings(config: Config): FetchSettings {
  let settings = cache.get(config);
  if (!settings) {
    settings = {
      timeoutMs: config.FETCH_TIMEOUT_MS,
      maxBytes: config.FETCH_MAX_BYTES,
      maxRedirects: MAX_REDIRECTS,
      userAgent: config.FETCH_USER_AGENT ?? DEFAULT_USER_AGENT,
      allowHosts: parseAllowHosts(config.FETCH_ALLOW_HOSTS),
      hostConcurrency: config.FETCH_HOST_CONCURRENCY,
    };
    cache.set(config, settings);
  }
  return settings;
}
