// Bundled in place of the "zod" package ([alias] in wrangler.toml), for bundle size:
// - zod's own entry exports `z`, the whole namespace as one value; zod-to-openapi's
//   `extendZodWithOpenApi(z)` takes it as an argument, and a namespace used as a value keeps
//   every export (all 48 locale bundles included) in the Worker. Here `z` is only what that
//   function touches, and our code imports `* as z from "zod"`, which bundles what it uses.
// - Paths are relative because zod's package exports none of these files, and an aliased
//   "zod/…" specifier would point back here.
import { extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";
import { ZodType } from "../node_modules/zod/v4/classic/external.js";

export * from "../node_modules/zod/v4/classic/external.js";

/** For libraries that receive `z` as a value; see above. */
export const z = { ZodType };
export default z;

// Schemas call `.openapi()` as their modules load, so the method must exist before any does.
// It only touches `ZodType`; its parameter type asks for the whole namespace.
extendZodWithOpenApi(z as unknown as Parameters<typeof extendZodWithOpenApi>[0]);
