import { AppError } from "../exceptions";
import { ErrorCode } from "./constants";

export class UserNotFound extends AppError {
  constructor(detail = "No such user.") {
    super(404, ErrorCode.USER_NOT_FOUND, "User not found", detail);
  }
}
