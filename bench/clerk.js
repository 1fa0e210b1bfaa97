/**
 * Clerk's route matcher for the benchmark: the same loading (and the silenced deprecation warning)
 * as the differential test's `tests/js/support/clerk.js`, plus `createPathMatcher`.
 * @module
 */

import { createRequire } from 'node:module';

import { clerkCreateRouteMatcher, NextRequest } from '../tests/js/support/clerk.js';

const require = createRequire(import.meta.url);
const { createPathMatcher } = require('@clerk/shared/pathMatcher');

export const clerk = {
  createRouteMatcher: clerkCreateRouteMatcher,
  /** @param {unknown} routes */
  createPathMatcher(routes) {
    return createPathMatcher(routes);
  },
};

export { NextRequest };
