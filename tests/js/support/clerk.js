/**
 * Loads Clerk's real `createRouteMatcher` (the `@clerk/nextjs` devDependency) for differential tests
 * and benchmarks.
 *
 * Why `require` and not `import`: the ESM build of `@clerk/nextjs` uses extension-less relative
 * imports (it is written for bundlers), so Node's native ESM loader fails on
 * `import '@clerk/nextjs/server'` with ERR_MODULE_NOT_FOUND. Its CommonJS build loads fine.
 *
 * Clerk prints a one-time "DEPRECATION WARNING" on the first `createRouteMatcher` call (unless
 * NODE_ENV is `test` or `production`); {@link clerkCreateRouteMatcher} silences it.
 * @module
 */

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const server = require('@clerk/nextjs/server');
const shared = require('@clerk/shared/pathMatcher');

/** Clerk's `createRouteMatcher`, as exported (prints the deprecation warning once). */
export const rawClerkCreateRouteMatcher = server.createRouteMatcher;

/** Clerk's `normalizePath` (decodeURI once + collapse `//+`). */
export const clerkNormalizePath = shared.normalizePath;

/**
 * Clerk's `createRouteMatcher` with its deprecation warning suppressed.
 * @param {unknown} routes
 * @returns {(req: unknown) => boolean}
 */
export function clerkCreateRouteMatcher(routes) {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return server.createRouteMatcher(routes);
  } finally {
    console.warn = warn;
  }
}

/** Next's `NextRequest` class (CommonJS build of `next/server`). */
export const NextRequest = require('next/server').NextRequest;
