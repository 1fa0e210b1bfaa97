/**
 * The package entry point for plain Node.js (`import … from 'portcullis'`).
 *
 * It registers the Node wasm loader (reads `pkg/portcullis_bg.wasm` with `fs`, lazily on first use)
 * and `node:crypto` as the signature engine (faster than WebCrypto in Node), and re-exports the
 * public API. Hosts without `fs` (Next edge, Cloudflare Workers) will get their
 * own entry points that register a loader for a precompiled module instead.
 * @module
 */

import { setWasmLoader } from './bindings.js';
import { setNativeEngine } from './crypto.js';
import { nodeCryptoEngine } from './node-crypto.js';
import { loadWasm } from './wasm.js';

setWasmLoader(loadWasm);
setNativeEngine(nodeCryptoEngine);

export { createRouteMatcher } from './routes.js';
export { normalizePath } from './normalize.js';
export { verifyToken } from './verify.js';
export { authObjectFromClaims } from './auth-object.js';
export { MalformedURLError, RoutePatternError } from './errors.js';
export { TokenVerificationError, ConfigurationError } from './errors.js';
export { verifyWebhook, WebhookVerificationError } from './webhook.js';
export { createContentSecurityPolicy } from './csp.js';
export { authenticateRequest } from './authenticate.js';
