/**
 * `portcullis/next` for Next.js's Node.js runtime (the package's `node` export condition): Next 16
 * `proxy.ts` (always Node.js), route handlers and Server Components, Next 15 `runtime: 'nodejs'`
 * middleware — bundled by webpack or Turbopack, or not bundled at all.
 *
 * Why a second entry: webpack's Node build fails on `.wasm?module` imports (which `index.js` needs
 * for edge hosts), so here the core is read from its file (`node-loader.js`), lazily on first use.
 * Signatures are checked with `node:crypto`, the fastest engine in Node (js/node-crypto.js).
 * @module
 */

import { setWasmLoader } from '../bindings.js';
import { setNativeEngine } from '../crypto.js';
import { nodeCryptoEngine } from '../node-crypto.js';
import { loadFromFile } from './node-loader.js';

setWasmLoader(loadFromFile);
setNativeEngine(nodeCryptoEngine);

export * from './api.js';
