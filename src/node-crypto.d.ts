// workerd provides node:crypto under nodejs_compat; as with node:async_hooks, only what the Worker
// uses is declared (@types/node would clash with the Workers types).
declare module "node:crypto" {
  interface Hmac {
    update(data: string | Uint8Array): Hmac;
    digest(): Uint8Array;
    digest(encoding: "base64url"): string;
  }
  export function createHmac(algorithm: "sha256", key: string | Uint8Array): Hmac;
}
