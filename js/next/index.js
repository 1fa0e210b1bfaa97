/**
 * `portcullis/next` for hosts that hand wasm over precompiled: Next.js edge middleware (Next 15
 * `middleware.ts`, Next 16 `middleware.ts`, webpack and Turbopack), and any other bundler that
 * resolves the `edge-light` or `default` condition of `portcullis/next`.
 *
 * Why this way:
 * - Edge runtimes compile no wasm from bytes (`new WebAssembly.Module(bytes)` is refused on real
 *   edge hosts), so the module comes from the bundler: `import m from '….wasm?module'` gives a
 *   compiled `WebAssembly.Module`, which Next compiles when it loads the middleware.
 * - It is loaded lazily and synchronously (see `module-loader.js`), so `createRouteMatcher` at module
 *   scope works as with Clerk, without top-level await (which webpack warns about in Next's edge
 *   build) and without an `await init()` before every use.
 * - Signatures are checked with WebCrypto (`crypto.subtle`, which every edge host has): no
 *   `node:crypto`, no `fs` here.
 *
 * The Node.js runtime (Next 16 `proxy.ts`, route handlers, Server Components) resolves the `node`
 * condition instead, i.e. `node.js`: webpack's Node build cannot import `.wasm?module` at all.
 * @module
 */

import { setWasmLoader } from '../bindings.js';
import { loadPrecompiled } from './module-loader.js';

setWasmLoader(loadPrecompiled);

export * from './api.js';
