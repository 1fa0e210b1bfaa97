/**
 * Loads the wasm core in plain Node.js, once.
 *
 * Why this way: `wasm-pack --target web` output is the one build that works in every host, via
 * `initSync({ module })` with a precompiled `WebAssembly.Module`. In Node we read the bytes with `fs`
 * next to this file (`../pkg/`) and compile them synchronously (a few ms), so matchers can be created
 * synchronously like Clerk's. Hosts that cannot use `fs` (Next edge, Workers) get their own loader;
 * this module is only imported by the Node entry point.
 * @module
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PKG_DIR = new URL('../pkg/', import.meta.url);
const GLUE_URL = new URL('portcullis.js', PKG_DIR);
const WASM_URL = new URL('portcullis_bg.wasm', PKG_DIR);

// The glue is imported dynamically so that a missing build is reported by `loadWasm()` with the fix,
// not as a bare ERR_MODULE_NOT_FOUND when the package is imported.
/** @type {any} */
let glue = null;
/** @type {unknown} */
let glueError = null;
try {
  glue = await import(GLUE_URL.href);
} catch (error) {
  glueError = error;
}

/** @type {import('./bindings.js').Bindings | null} */
let loaded = null;

/**
 * The error thrown when `pkg/` has not been built.
 * @param {unknown} cause
 */
function notBuilt(cause) {
  const where = fileURLToPath(PKG_DIR);
  return Object.assign(
    new Error(
      `portcullis: the WebAssembly build is missing (${where}portcullis.js / portcullis_bg.wasm). ` +
        'Run `npm run build` (or `npm start` / `npm test`, which build it) first.',
      { cause },
    ),
    { name: 'WasmNotBuiltError', code: 'wasm-not-built' },
  );
}

/**
 * Returns the wasm-bindgen exports, initialising the module on the first call.
 * @returns {import('./bindings.js').Bindings}
 * @throws {Error} with `code: 'wasm-not-built'` when `pkg/` is missing
 */
export function loadWasm() {
  if (loaded !== null) return loaded;
  if (glue === null) {
    const code = /** @type {{code?: unknown}} */ (glueError)?.code;
    throw code === 'ERR_MODULE_NOT_FOUND' ? notBuilt(glueError) : glueError;
  }
  /** @type {BufferSource} */
  let bytes;
  try {
    // (A Buffer is a BufferSource; the cast only quiets @types/node's ArrayBufferLike generics.)
    bytes = /** @type {BufferSource} */ (/** @type {unknown} */ (readFileSync(WASM_URL)));
  } catch (error) {
    throw notBuilt(error);
  }
  glue.initSync({ module: new WebAssembly.Module(bytes) });
  loaded = glue;
  return glue;
}
