import "vitest";

declare global {
  namespace Cloudflare {
    interface Env {
      INGEST_QUEUE: Queue<unknown>;
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
  }
}
