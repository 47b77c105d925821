import { AppError } from "../exceptions";
import { ErrorCode } from "./constants";

export class ShareNotFound extends AppError {
  constructor() {
    super(404, ErrorCode.SHARE_NOT_FOUND, "Share not found", "No such share on this project.");
  }
}

export class ShareExists extends AppError {
  constructor() {
    super(
      409,
      ErrorCode.SHARE_EXISTS,
      "Already shared",
      "The project is already shared with this user.",
    );
  }
}

/** The owner already has every right; a share would be meaningless, so it is a conflict. */
export class ShareWithOwner extends AppError {
  constructor() {
    super(
      409,
      ErrorCode.SHARE_WITH_OWNER,
      "Cannot share with the owner",
      "The owner already has full access to the project.",
    );
  }
}

export class LinkNotFound extends AppError {
  constructor() {
    super(404, ErrorCode.LINK_NOT_FOUND, "Link not found", "No such link on this project.");
  }
}

/** Unknown, revoked and expired tokens look the same. */
export class SharedLinkNotFound extends AppError {
  constructor() {
    super(
      404,
      ErrorCode.SHARED_LINK_NOT_FOUND,
      "Shared link not found",
      "This link is unknown, revoked or expired.",
    );
  }
}
