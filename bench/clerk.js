/**
 * Clerk's route matcher for the benchmark. Loaded with `require` because the ESM build of
 * `@clerk/nextjs` uses extension-less imports that Node's ESM loader rejects; its one-time
 * deprecation warning is silenced.
 * @module
 */

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const server = require('@clerk/nextjs/server');
const { createPathMatcher } = require('@clerk/shared/pathMatcher');

export const clerk = {
  /** @param {unknown} routes */
  createRouteMatcher(routes) {
    const warn = console.warn;
    console.warn = () => {};
    try {
      return server.createRouteMatcher(routes);
    } finally {
      console.warn = warn;
    }
  },
  /** @param {unknown} routes */
  createPathMatcher(routes) {
    return createPathMatcher(routes);
  },
};

export const NextRequest = require('next/server').NextRequest;
