import { AppError, boundedFieldErrors, describeFieldErrors, type FieldError } from "../exceptions";
import { ErrorCode, UrlErrorCode } from "./constants";

/** The url does not exist in this project (or the project is not visible: see PROJECT_NOT_FOUND). */
export class UrlNotFound extends AppError {
  constructor() {
    super(404, ErrorCode.URL_NOT_FOUND, "Url not found", "No such url in this project.");
  }
}

/** The url exists but no snapshot was stored yet: it has not been fetched successfully. */
export class SnapshotNotFound extends AppError {
  constructor() {
    super(
      404,
      UrlErrorCode.SNAPSHOT_NOT_FOUND,
      "Snapshot not found",
      "This url has no stored snapshot yet.",
    );
  }
}

/**
 * One or more submitted urls failed intake. The code is the first failure's (`URL_INVALID` or
 * `URL_NOT_ALLOWED`); `errors` names every failing index, e.g. `body.urls.3`.
 */
export class UrlRejected extends AppError {
  constructor(
    code: typeof ErrorCode.URL_INVALID | typeof ErrorCode.URL_NOT_ALLOWED,
    readonly errors: FieldError[],
  ) {
    const title = code === ErrorCode.URL_NOT_ALLOWED ? "Url not allowed" : "Invalid url";
    super(422, code, title, describeFieldErrors(errors, title));
  }

  override extensions() {
    return { errors: boundedFieldErrors(this.errors) };
  }
}
