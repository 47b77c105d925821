import { AppError } from "../exceptions";
import { ErrorCode } from "./constants";

/** The source does not exist in this project (or the project is not visible: PROJECT_NOT_FOUND). */
export class SourceNotFound extends AppError {
  constructor() {
    super(404, ErrorCode.SOURCE_NOT_FOUND, "Source not found", "No such source in this project.");
  }
}
