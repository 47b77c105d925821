import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const workerTest = { testTimeout: 30_000, hookTimeout: 120_000 };
// The Worker bundles src/zod.ts for "zod" (wrangler.toml [alias]); tests resolve it the same way.
const resolve = {
  alias: [{ find: /^zod$/, replacement: fileURLToPath(new URL("./src/zod.ts", import.meta.url)) }],
};

/**
 * Three projects:
 * - `node`: the local stack itself (Neon-protocol endpoint, S3 server) driven from Node with the
 *   real clients.
 * - `workers-unit`: pure modules (`*.unit.test.ts`) inside workerd, no services needed.
 * - `workers`: the API inside workerd against the local stack that `test/global-setup.ts` starts.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/local-stack/**/*.test.ts", "test/node/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
        resolve,
        test: { name: "workers-unit", include: ["test/**/*.unit.test.ts"], ...workerTest },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: inject("workerBindings") },
          })),
        ],
        resolve,
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: [
            "test/local-stack/**",
            "test/node/**",
            "test/setup/**",
            "test/**/*.unit.test.ts",
          ],
          globalSetup: ["test/setup/global-setup.ts"],
          // Fault tests take the shared database and S3 down, so test files must not run
          // concurrently against them.
          fileParallelism: false,
          ...workerTest,
        },
      },
    ],
  },
});
