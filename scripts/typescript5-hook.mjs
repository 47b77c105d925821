// Module resolution hook for scripts/openapi.ts: openapi-typescript, and the `typescript` it
// imports, resolve as from the tools/openapi-client workspace, whose TypeScript is 5 (the repo's
// is 7, which has no compiler API for it). npm may place openapi-typescript at the root or in
// the workspace; resolving from the workspace finds it in either.
const workspace = new URL("../tools/openapi-client/package.json", import.meta.url).href;

export async function resolve(specifier, context, next) {
  const fromOpenapiTypescript = context.parentURL?.includes("/openapi-typescript/");
  if (specifier === "openapi-typescript" || (specifier === "typescript" && fromOpenapiTypescript)) {
    return next(specifier, { ...context, parentURL: workspace });
  }
  return next(specifier, context);
}
