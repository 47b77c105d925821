import { call, expectStatus } from "./api";

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

let userCounter = 0;

/** Registers a new user with a unique email. */
export async function createUser(overrides: { email?: string; name?: string } = {}): Promise<TestUser> {
  userCounter += 1;
  const email = overrides.email ?? `user-${crypto.randomUUID().slice(0, 8)}-${userCounter}@example.com`;
  const password = "correct horse battery";
  const body = await expectStatus<{ user: { id: string }; access_token: string; refresh_token: string }>(
    await call("POST", "/v1/auth/register", { body: { email, password, name: overrides.name ?? "Test User" } }),
    201,
  );
  return {
    id: body.user.id,
    email,
    password,
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
  };
}
