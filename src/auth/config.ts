import type { Config } from "../config";

export interface AuthSettings {
  secret: Uint8Array;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  adminEmails: readonly string[];
}

const secrets = new WeakMap<Config, AuthSettings>();

export function authSettings(config: Config): AuthSettings {
  let settings = secrets.get(config);
  if (!settings) {
    settings = {
      secret: new TextEncoder().encode(config.JWT_SECRET),
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
      adminEmails: config.ADMIN_EMAILS,
    };
    secrets.set(config, settings);
  }
  return settings;
}
