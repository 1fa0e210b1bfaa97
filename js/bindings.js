/**
 * Which initialised wasm instance the shim talks to.
 *
 * Why a module of its own: loading wasm differs per host (Node reads the file with `fs`; Next's edge
 * runtime and Cloudflare Workers import a precompiled `WebAssembly.Module` and must not touch `fs`).
 * Everything that calls into the core asks this registry for the bindings; each entry point (Node's
 * `index.js` today, Next/Worker entries later) registers the loader that suits its host. Loading is
 * lazy, so importing the package costs nothing until the first matcher is built.
 * @module
 */

/**
 * The subset of the wasm-bindgen exports (`pkg/portcullis.js`) the shim uses.
 * @typedef {object} Bindings
 * @property {new (patterns: string[]) => WasmPathMatcher} PathMatcher
 * @property {(pathname: string) => string} normalizePath
 */

/**
 * @typedef {object} WasmPathMatcher
 * @property {(pathname: string) => boolean} matches normalises, then tests every pattern
 * @property {(normalized: string) => boolean} matchesNormalized tests an already normalised path
 * @property {() => void} free
 */

/** @type {Bindings | null} */
let current = null;
/** @type {(() => Bindings) | null} */
let loader = null;

/**
 * Registers how to obtain the bindings on first use. A later call replaces an earlier loader but
 * not bindings already loaded.
 * @param {() => Bindings} load
 */
export function setWasmLoader(load) {
  loader = load;
}

/**
 * Supplies already initialised bindings directly (hosts that initialise asynchronously).
 * @param {Bindings} bindings
 */
export function setWasmBindings(bindings) {
  current = bindings;
}

/**
 * The initialised bindings, loading them on first use.
 * @returns {Bindings}
 */
export function wasm() {
  if (current !== null) return current;
  if (loader === null) {
    throw Object.assign(
      new Error('portcullis: no wasm loader registered; import the package through its entry point (portcullis)'),
      { code: 'wasm-not-loaded' },
    );
  }
  current = loader();
  return current;
}
