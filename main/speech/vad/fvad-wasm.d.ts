/** The package ships no types: an Emscripten module factory (see fvadVad.ts for the exports used). */
declare module '@echogarden/fvad-wasm' {
  const factory: (moduleArg?: Record<string, unknown>) => Promise<unknown>;
  export default factory;
}
