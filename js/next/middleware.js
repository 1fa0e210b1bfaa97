/**
 * `clerkMiddleware`: the implementation lives in `clerk-middleware.js` (with `auth.js`, `protect.js`,
 * `control-flow.js`, `next-headers.js`, `request-data.js`, `options.js`).
 *
 * It is re-exported through this module so that both entry points get it through `api.js`, after
 * their wasm loader is registered, so it can call the core (`wasm()` from `../bindings.js`)
 * synchronously on any request.
 * @module
 */

export { clerkMiddleware } from './clerk-middleware.js';
