/**
 * `normalizePath`: the exact pathname normalisation route matching uses (Clerk's, since 7.2.1):
 * `decodeURI` once, then collapse runs of `/`. Exposed so apps can route on the same string the
 * matcher saw. Implemented in the Rust core; this module skips the call when the path cannot change
 * and rethrows the core's errors as our classes.
 * @module
 */

import { wasm } from './bindings.js';
import { fromWasmError } from './errors.js';

/**
 * Whether normalising `pathname` would return it unchanged, which needs no crossing into wasm: with
 * no `%` there is nothing for `decodeURI` to decode (or reject), and with no `//` nothing to collapse.
 * True for most real request paths.
 * @param {string} pathname
 * @returns {boolean}
 */
export function isNormalized(pathname) {
  return pathname.indexOf('%') === -1 && pathname.indexOf('//') === -1;
}

/**
 * @param {string} pathname
 * @returns {string}
 * @throws {import('./errors.js').MalformedURLError} on a malformed percent-escape
 */
export function normalizePath(pathname) {
  if (isNormalized(pathname)) return pathname;
  try {
    return wasm().normalizePath(pathname);
  } catch (error) {
    throw fromWasmError(error);
  }
}
