/**
 * Clerk's `contentSecurityPolicy` middleware option (7.x): the policy headers are set on the
 * middleware's response — redirects included — and forwarded to the app as request headers
 * (Next's override protocol), so server components can read `x-nonce`.
 *
 * Why this module: the policy itself is built by js/csp.js (the Rust core, byte-equal to Clerk's
 * builder); this is only where those headers go, kept out of the middleware pipeline.
 * @module
 */

import { createContentSecurityPolicy } from '../csp.js';
import { setRequestHeadersOnNextResponse } from './next-headers.js';

/**
 * Sets the Content-Security-Policy headers on `response` and as request headers for the app.
 * @param {Response} response the handler's result (or the control-flow response)
 * @param {import('../csp.js').ContentSecurityPolicyOptions} option the `contentSecurityPolicy` option
 * @param {{frontendApi: string | null | undefined, requestHeaders: Record<string, string>}} context
 * @returns {[string, string][]} the headers that were set (for the debug log)
 */
export function applyContentSecurityPolicy(response, option, context) {
  const frontendApi = (context.frontendApi ?? '').replace('$', '');
  const { headers } = createContentSecurityPolicy(option, { frontendApi });
  for (const [name, value] of headers) response.headers.set(name, value);
  setRequestHeadersOnNextResponse(response, context.requestHeaders, headers);
  return headers;
}
