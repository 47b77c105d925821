import { AppError } from "../exceptions";
import { ErrorCode } from "./constants";

export class WebhookNotFound extends AppError {
  constructor() {
    super(
      404,
      ErrorCode.WEBHOOK_NOT_FOUND,
      "Webhook not found",
      "No such webhook on this project.",
    );
  }
}
