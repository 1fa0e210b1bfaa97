/**
 * `portcullis/worker`: the Cloudflare Worker entry.
 *
 *   // wrangler.toml: main = "js/worker/index.js"   (or, in your own Worker:)
 *   export { default } from 'portcullis/worker';
 *
 * Configuration comes from vars and secrets (config.js, README "Cloudflare Worker"). The wasm core
 * is imported as a compiled `WebAssembly.Module` (Workers compile no wasm from bytes at run time)
 * and initialised once per isolate, on first use, with the glue's `initSync({ module })`; signatures
 * are checked with WebCrypto (no native engine is registered here). The module has only a default
 * export: workerd treats every named export as an entrypoint.
 * @module
 */

import wasmModule from '../../pkg/portcullis_bg.wasm';
import * as glue from '../../pkg/portcullis.js';
import { setWasmLoader } from '../bindings.js';
import { handle } from './handler.js';

setWasmLoader(() => {
  glue.initSync({ module: wasmModule });
  return /** @type {any} */ (glue);
});

export default {
  /**
   * @param {Request} request
   * @param {Record<string, unknown>} env
   * @param {unknown} ctx
   */
  fetch(request, env, ctx) {
    return handle(request, env, ctx);
  },
};
