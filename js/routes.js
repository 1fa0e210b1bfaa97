/**
 * `createRouteMatcher`, with Clerk 7.x's semantics and the patterns compiled and run by the Rust core.
 *
 * Why it is built this way:
 * - Clerk compiles every string once with path-to-regexp 6 and runs the JS RegExp per request, which
 *   can backtrack catastrophically on hostile paths. We compile strings once, in Rust (`PathMatcher`),
 *   and match in linear time; a bad pattern fails here, at creation, with a `RoutePatternError`.
 * - RegExp entries are the caller's own and are run as given with `.test()`, flags and `lastIndex`
 *   state included, so a `g`/`y` RegExp behaves exactly as under Clerk.
 * - Entries are evaluated in the caller's order with short-circuit (like `Array#some`): runs of
 *   consecutive strings share one `PathMatcher`, so order-dependent RegExp state is preserved.
 * - Every entry sees the same normalised pathname (`decodeURI` once, `//+` collapsed), as in Clerk
 *   since 7.2.1 (the CVE-2026-41248 fix); a malformed escape throws `MalformedURLError` (400).
 * - We are stricter than Clerk in one way: an entry that is neither a string nor a RegExp (a number,
 *   `{}`) throws at creation; Clerk silently turns `{}` into a pattern that matches only `/`.
 * @module
 */

import { wasm } from './bindings.js';
import { RoutePatternError, fromWasmError } from './errors.js';
import { isNormalized, normalizePath } from './normalize.js';
import { describe, pathnameOf } from './pathname.js';

/**
 * Anything a matcher accepts: see `pathname.js`.
 * @typedef {string | URL | Request | {nextUrl: {pathname: string}} | {url: string}} RequestLike
 */

/**
 * @typedef {string | RegExp} RoutePatternEntry
 * @typedef {RoutePatternEntry | RoutePatternEntry[] | ((req: any) => boolean) | null | undefined} RouteMatcherParam
 */

/**
 * One step of a compiled list: a run of consecutive string patterns, or one RegExp.
 * @typedef {{ paths: import('./bindings.js').WasmPathMatcher, re: null } | { paths: null, re: RegExp }} Step
 */

/**
 * Whether `value` is a RegExp, also one from another realm (Next's edge sandbox, a vm context).
 * @param {unknown} value
 * @returns {value is RegExp}
 */
function isRegExp(value) {
  return value instanceof RegExp || Object.prototype.toString.call(value) === '[object RegExp]';
}

/**
 * Compiles a run of string patterns in the core.
 * @param {string[]} patterns
 */
function compilePaths(patterns) {
  try {
    return new (wasm().PathMatcher)(patterns);
  } catch (error) {
    throw fromWasmError(error);
  }
}

/**
 * Splits the entries into steps, compiling each run of strings once.
 * @param {unknown[]} entries
 * @returns {Step[]}
 */
function compile(entries) {
  /** @type {Step[]} */
  const steps = [];
  /** @type {string[]} */
  let run = [];
  const flush = () => {
    if (run.length > 0) steps.push({ paths: compilePaths(run), re: null });
    run = [];
  };
  for (const entry of entries) {
    if (typeof entry === 'string') {
      run.push(entry);
    } else if (isRegExp(entry)) {
      flush();
      steps.push({ paths: null, re: entry });
    } else {
      throw new RoutePatternError(
        `createRouteMatcher: a route entry is ${describe(entry)}; each entry must be a path ` +
          "pattern string such as '/dashboard(.*)' or a RegExp such as /^\\/dashboard/; write it as one " +
          'of those (or pass a single function (req) => boolean as the whole argument).',
      );
    }
  }
  flush();
  return steps;
}

/**
 * A matcher of path patterns for a path that is already normalised (`normalizePath`'s result),
 * judged as it is: not parsed as a URL (which would resolve `..`) and not decoded again (which
 * would read `/%2561dmin` as `/admin` where Clerk, and the origin, see `/%61dmin`). The Worker's
 * route rules use it: they are asked about the path the handler normalised once.
 * @param {string[]} patterns path-to-regexp 6 strings
 * @returns {(normalizedPath: string) => boolean}
 * @throws {RoutePatternError} when a pattern does not compile
 */
export function createNormalizedPathMatcher(patterns) {
  const paths = compilePaths(patterns);
  return (normalizedPath) => paths.matchesNormalized(normalizedPath);
}

/**
 * Builds a request matcher from route patterns, like Clerk's `createRouteMatcher`.
 *
 * @param {RouteMatcherParam} routes path-to-regexp 6 strings (`'/dashboard(.*)'`, `'/orgs/:slug'`),
 *   RegExps, an array of both, or a function `(req) => boolean` used as is.
 * @returns {(req: RequestLike) => boolean} true when the request's (normalised) pathname matches any
 *   entry; throws `MalformedURLError` (statusCode 400) for a malformed percent-escape.
 * @throws {RoutePatternError} when a pattern does not compile or an entry has an unsupported type
 */
export function createRouteMatcher(routes) {
  if (typeof routes === 'function') {
    const fn = routes;
    return (req) => fn(req);
  }
  const entries = /** @type {unknown[]} */ ([routes || ''].flat()).filter(Boolean);
  if (entries.length === 0) {
    // Clerk's `[].some(...)` never normalises, so even `/%` is simply "no match".
    return (_req) => false;
  }
  const steps = compile(entries);

  if (steps.length === 1 && steps[0].paths !== null) {
    // Strings only: one crossing into wasm, which normalises and matches. When normalising cannot
    // change the path, the infallible `matchesNormalized` is the cheaper call (no Result to unpack).
    const paths = steps[0].paths;
    return (req) => {
      const pathname = pathnameOf(req);
      if (isNormalized(pathname)) return paths.matchesNormalized(pathname);
      try {
        return paths.matches(pathname);
      } catch (error) {
        throw fromWasmError(error);
      }
    };
  }

  return (req) => {
    const normalized = normalizePath(pathnameOf(req));
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      if (step.paths !== null ? step.paths.matchesNormalized(normalized) : step.re.test(normalized)) {
        return true;
      }
    }
    return false;
  };
}
