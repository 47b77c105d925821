import { AppError } from "../exceptions";
import { ErrorCode } from "./constants";

export class NotAuthenticated extends AppError {
  constructor(detail = "Send an Authorization: Bearer header with an access token or API key.") {
    super(401, ErrorCode.NOT_AUTHENTICATED, "Not authenticated", detail, {
      "WWW-Authenticate": 'Bearer realm="linkbase"',
    });
  }
}

export class InvalidToken extends AppError {
  constructor() {
    super(401, ErrorCode.INVALID_TOKEN, "Invalid token", "The token is invalid or expired.", {
      "WWW-Authenticate": 'Bearer realm="linkbase", error="invalid_token"',
    });
  }
}

export class InvalidCredentials extends AppError {
  constructor() {
    super(401, ErrorCode.INVALID_CREDENTIALS, "Invalid credentials", "Wrong email or password.");
  }
}

export class EmailTaken extends AppError {
  constructor() {
    super(409, ErrorCode.EMAIL_TAKEN, "Email taken", "An account with this email already exists.");
  }
}

export class RefreshTokenInvalid extends AppError {
  constructor() {
    super(
      401,
      ErrorCode.REFRESH_TOKEN_INVALID,
      "Invalid refresh token",
      "The refresh token is unknown, expired or revoked.",
    );
  }
}

export class RefreshTokenReused extends AppError {
  constructor() {
    super(
      401,
      ErrorCode.REFRESH_TOKEN_REUSED,
      "Refresh token reused",
      "This refresh token was already used; its whole session has been revoked. Log in again.",
    );
  }
}

export class AdminRequired extends AppError {
  constructor() {
    super(403, ErrorCode.ADMIN_REQUIRED, "Admin required", "Only administrators may do this.");
  }
}

export class ApiKeyNotFound extends AppError {
  constructor() {
    super(404, ErrorCode.API_KEY_NOT_FOUND, "API key not found", "No such API key.");
  }
}

/** A `read` API key tried to change something, or a project-limited key to create a project. */
export class InsufficientScope extends AppError {
  constructor(detail = "A read API key may view and search only.") {
    super(403, ErrorCode.INSUFFICIENT_SCOPE, "Insufficient scope", detail);
  }
}

/** Credential management takes an access token from a login, never an API key. */
export class InteractiveLoginRequired extends AppError {
  constructor() {
    super(
      403,
      ErrorCode.INTERACTIVE_LOGIN_REQUIRED,
      "Interactive login required",
      "Managing credentials and the account needs an access token from a login.",
    );
  }
}

/** A key was to be limited to a project the caller cannot see. */
export class ApiKeyProjectUnknown extends AppError {
  constructor() {
    super(
      422,
      ErrorCode.API_KEY_PROJECT_UNKNOWN,
      "Unknown project",
      "project_ids must name projects you can see.",
    );
  }
}

/** A valid token whose account was deleted since: as unauthenticated as no token at all. */
export class AccountGone extends NotAuthenticated {
  constructor() {
    super("This token's account no longer exists.");
  }
}
