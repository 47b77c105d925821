import * as z from "zod";
import { int32 } from "../schemas";

const MAX_BATCH = 20;

/** Only the envelope is checked here; mcp-lite validates each message and each tool's arguments. */
const JsonRpcMessage = z
  .looseObject({
    jsonrpc: z.literal("2.0"),
    id: z.union([z.string().max(200), int32(-2_147_483_648)]).optional(),
    method: z.string().min(1).max(200).optional(),
  })
  .openapi("JsonRpcMessage", {
    description: "A JSON-RPC 2.0 request, notification or response of the Model Context Protocol",
  });

export const McpRequest = z.union([JsonRpcMessage, z.array(JsonRpcMessage).min(1).max(MAX_BATCH)]);

export const McpResponse = z
  .looseObject({ jsonrpc: z.literal("2.0") })
  .openapi("JsonRpcResponse", { description: "The JSON-RPC 2.0 response(s) to the request(s)" });
