// Module resolution hook for scripts/openapi.ts: `typescript` imported from openapi-typescript
// resolves to the TypeScript 5 that tools/openapi-client depends on.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const typescript5 = pathToFileURL(
  createRequire(new URL("../tools/openapi-client/package.json", import.meta.url)).resolve(
    "typescript",
  ),
).href;

export async function resolve(specifier, context, next) {
  if (specifier === "typescript" && context.parentURL?.includes("/openapi-typescript/")) {
    return { url: typescript5, shortCircuit: true };
  }
  return next(specifier, context);
}
