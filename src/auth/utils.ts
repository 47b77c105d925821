import { PASSWORD_HASH_SCHEME, PBKDF2_ITERATIONS, PBKDF2_MAX_ITERATIONS } from "./constants";

const encoder = new TextEncoder();

export function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/** A URL-safe random secret of `bytes` bytes (32 bytes = 256 bits). */
export function randomToken(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Hex SHA-256, how opaque tokens and keys are stored: they are random, so no salt is needed. */
export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares without leaking, through timing, where two secrets first differ. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    256,
  );
  return new Uint8Array(bits);
}

/**
 * Hashes a password as `pbkdf2-sha256$<iterations>$<salt>$<hash>`; the parameters travel with
 * the hash so they can change later without locking anyone out.
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await pbkdf2(password, salt, PBKDF2_ITERATIONS);
  return [PASSWORD_HASH_SCHEME, PBKDF2_ITERATIONS, toBase64Url(salt), toBase64Url(hash)].join("$");
}

/** Checks a password; `needsRehash` when the stored parameters are not today's. */
export async function verifyPassword(
  password: string,
  stored: string,
): Promise<{ ok: boolean; needsRehash: boolean }> {
  const [scheme, iterationsText, saltText, hashText] = stored.split("$");
  const iterations = Number(iterationsText);
  if (scheme !== PASSWORD_HASH_SCHEME || !saltText || !hashText || !Number.isInteger(iterations)) {
    return { ok: false, needsRehash: false };
  }
  // Workers refuse PBKDF2 above the cap (a 500 otherwise): such a hash cannot be checked here.
  if (iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) {
    console.warn(`PBKDF2 iterations over the cap: ${iterations}`);
    return { ok: false, needsRehash: false };
  }
  const expected = fromBase64Url(hashText);
  const actual = await pbkdf2(password, fromBase64Url(saltText), iterations);
  const ok = timingSafeEqual(actual, expected);
  return { ok, needsRehash: ok && iterations !== PBKDF2_ITERATIONS };
}

/** A well-formed hash of no one's password, verified for unknown emails so timing leaks nothing. */
export const DUMMY_PASSWORD_HASH = `${PASSWORD_HASH_SCHEME}$${PBKDF2_ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA$${"A".repeat(43)}`;
