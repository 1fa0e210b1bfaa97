/**
 * A Worker that forwards every request to the built-in demo origin with no authentication at all:
 * the baseline `npm run bench:worker` compares portcullis against. Not part of the package.
 * @module
 */

import { demoOrigin } from './demo-origin.js';

export default {
  /**
   * @param {Request} request
   * @param {Record<string, string>} env
   */
  async fetch(request, env) {
    const url = new URL(request.url);
    const target = new URL(url.pathname + url.search, 'http://demo-origin.portcullis.invalid');
    const response = await demoOrigin(new Request(target.href, request), {
      signingSecret: env.PORTCULLIS_SIGNING_KEY ?? 'passthrough-has-no-key-passthrough-has-no-key',
      signInUrl: '/sign-in',
      localIssuer: false,
    });
    return new Response(response.body, response);
  },
};
