import "vitest";

declare global {
  namespace Cloudflare {
    interface Env {
      [key: string]: unknown;
      INGEST_QUEUE: Queue<unknown>;
      JWT_SECRET: string;
      JWT_ISSUER: string;
      JWT_AUDIENCE: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/main");
    }
  }
}

declare module "vitest" {
  // Provided by test/setup/global-setup.ts.
  export interface ProvidedContext {
    workerBindings: Record<string, string>;
    controlUrl: string;
    testSiteUrl: string;
    docsSiteUrl: string;
  }
}
