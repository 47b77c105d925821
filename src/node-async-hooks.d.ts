// workerd provides node:async_hooks under nodejs_compat; @types/node would clash with the
// Workers types, so only the part the Worker uses is declared.
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, callback: () => R): R;
  }
}
