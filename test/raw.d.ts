// Vite's `?raw` imports: a file's text (docs/api.md for the contract test).
declare module "*?raw" {
  const text: string;
  export default text;
}
