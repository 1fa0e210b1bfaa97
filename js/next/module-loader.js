/**
 * Loads the wasm core from a module the bundler compiled (`.wasm?module`), synchronously, once.
 *
 * Why synchronously, and the realm fix: wasm-bindgen's `initSync({ module })` checks
 * `module instanceof WebAssembly.Module` and otherwise treats its argument as bytes. In Next's edge
 * sandbox the `?module` import is compiled by the host, in another JavaScript realm, so that check
 * is false and `initSync` fails ("Argument 0 must be a buffer source"). The module itself is fine:
 * `new WebAssembly.Instance` accepts a module of any realm of the same engine. So a foreign module
 * is given this realm's `WebAssembly.Module.prototype` (it has no other user; Next keeps it only to
 * hand it to us) and then instantiated with `initSync`. The alternative, `await init({
 * module_or_path })`, would need top-level await in this package (webpack warns about it in Next's
 * edge build and it makes every importer async) or would make `createRouteMatcher` unusable at
 * module scope.
 * @module
 */

import wasmModule from '../../pkg/portcullis_bg.wasm?module';
import * as glue from '../../pkg/portcullis.js';

/**
 * What the bundler gave us, for error messages.
 * @param {unknown} value
 */
function describe(value) {
  return value === null ? 'null' : `${typeof value} ${Object.prototype.toString.call(value)}`;
}

/**
 * Initialises the core from the precompiled module on the first call and returns its bindings.
 * @returns {import('../bindings.js').Bindings}
 */
export function loadPrecompiled() {
  /** @type {any} */
  let module = wasmModule;
  // A CommonJS interop wrapper ({ default: module }) from some bundler configurations.
  if (module !== null && typeof module === 'object' && 'default' in module) module = module.default;
  if (Object.prototype.toString.call(module) !== '[object WebAssembly.Module]') {
    throw Object.assign(
      new Error(
        'portcullis/next: the bundler did not provide the wasm core as a compiled WebAssembly.Module ' +
          `(\`import … from 'portcullis_bg.wasm?module'\` gave ${describe(module)}). This entry is for ` +
          "Next.js edge middleware; in the Node.js runtime import 'portcullis/next' resolves to node.js " +
          "through the package's `node` export condition.",
      ),
      { code: 'wasm-not-loaded' },
    );
  }
  if (!(module instanceof WebAssembly.Module)) {
    // Compiled in another realm (Next's edge sandbox): adopt it, see the module comment.
    Object.setPrototypeOf(module, WebAssembly.Module.prototype);
  }
  glue.initSync({ module });
  return /** @type {any} */ (glue);
}
