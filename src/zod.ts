// Bundled in place of the "zod" package ([alias] in wrangler.toml). Once a library passes the
// `z` namespace around as a value (zod-to-openapi extends it), every export stays in the bundle,
// and zod's 48 locale bundles alone were 260 KB of a 940 KB Worker. This is zod 4's own classic
// entry point without `locales`; English stays the default (classic/schemas.js imports it).
// Paths are relative because the package exports none of these files, and an aliased "zod/…"
// specifier would point back here.
import * as z from "./zod-classic";

export * from "./zod-classic";
export { z, z as default };
