/**
 * The public API of `portcullis/next`, shared by both of its entry points.
 *
 * Why two entry points over one API: Next.js compiles middleware for two kinds of host, and the wasm
 * core must be loaded differently in each (see `index.js` and `node.js`). Everything else is the same
 * code, so each entry registers its loader and re-exports this module.
 * @module
 */

export { createRouteMatcher } from '../routes.js';
export { normalizePath } from '../normalize.js';
export { verifyToken } from '../verify.js';
export { authObjectFromClaims } from '../auth-object.js';
export { verifyWebhook, WebhookVerificationError } from '../webhook.js';
export { MalformedURLError, RoutePatternError, TokenVerificationError, ConfigurationError } from '../errors.js';
export { clerkMiddleware } from './middleware.js';
export { authMiddleware, DEFAULT_CONFIG_MATCHER, DEFAULT_IGNORED_ROUTES, DEFAULT_API_ROUTES } from './auth-middleware.js';
