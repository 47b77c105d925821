import { call, expectStatus } from "./api";

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** Registers a new user with a unique email. */
export async function createUser(
  overrides: { email?: string; name?: string } = {},
): Promise<TestUser> {
  const email = overrides.email ?? uniqueEmail();
  const password = "correct horse battery";
  const body = await expectStatus<{
    user: { id: string };
    access_token: string;
    refresh_token: string;
  }>(
    await call("POST", "/v1/auth/register", {
      body: { email, password, name: overrides.name ?? "Test User" },
    }),
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

/** An email no other test uses. */
export function uniqueEmail(): string {
  return `user-${crypto.randomUUID()}@example.com`;
}

/** `PATCH /v1/users/me` changing the caller's password, presenting `currentPassword`. */
export function changePassword(
  user: TestUser,
  currentPassword: string,
  password = "a brand new password",
): Promise<Response> {
  return call("PATCH", "/v1/users/me", {
    token: user.accessToken,
    body: { password, current_password: currentPassword },
  });
}
