import { AppError } from "../exceptions";
import { ErrorCode, type ProjectRole } from "./constants";

/** The project does not exist or the caller has no role on it; both look the same. */
export class ProjectNotFound extends AppError {
  constructor() {
    super(404, ErrorCode.PROJECT_NOT_FOUND, "Project not found", "No such project.");
  }
}

/** The caller can see the project but their role does not allow this. */
export class InsufficientRole extends AppError {
  constructor(role: ProjectRole, needed: ProjectRole) {
    super(
      403,
      ErrorCode.INSUFFICIENT_ROLE,
      "Insufficient role",
      `This needs the ${needed} role on the project; yours is ${role}.`,
    );
  }
}
