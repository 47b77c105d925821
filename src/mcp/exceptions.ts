import { AppError, ErrorCode } from "../exceptions";

/** Stateless Streamable HTTP: no server-initiated stream (GET) and no session to end (DELETE). */
export class McpMethodNotAllowed extends AppError {
  constructor() {
    super(
      405,
      ErrorCode.METHOD_NOT_ALLOWED,
      "Method not allowed",
      "This MCP endpoint is stateless: send JSON-RPC messages with POST.",
      { Allow: "POST" },
    );
  }
}
