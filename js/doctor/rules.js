/**
 * The route model of a Next.js middleware file: which paths go through the middleware at all
 * (`config.matcher`, Next.js's semantics) and which of those the rules protect for a signed-out
 * visitor (the handler's gates over `createRouteMatcher` lists, Clerk's semantics) — each answer
 * true, false or 'maybe'.
 *
 * Why our engine answers both questions:
 * - Rules: `createRouteMatcher` from js/routes.js *is* Clerk's matcher (same compiler, same path
 *   normalisation), so "does isPublicRoute match /sign-in/factor-one?" is answered exactly as the
 *   middleware will answer it.
 * - `config.matcher`: Next.js compiles each source with path-to-regexp 6.3 — the compiler our core
 *   implements — after wrapping it in its own prefix and suffix (get-page-static-info.js
 *   `getMiddlewareMatchers`: an optional `/_next/data/<build>` prefix, an optional `.json` / `.rsc`
 *   / segment-prefetch suffix, and for `/` the index forms), and tests the regex against the raw
 *   pathname and its decodeURIComponent form (router-utils/resolve-routes.js). We build the same
 *   wrapped source and compile it with the core's `PathMatcher`, without Clerk's normalisation.
 *   One difference remains: Next runs the regex without the `i` flag, the core is case-insensitive,
 *   so a path that differs from the matcher only in letter case is reported as matched. The doctor
 *   asks about lower-case paths; tests/js/doctor.test.js checks these answers against Next's own
 *   `getMiddlewareMatchers` + `getMiddlewareRouteMatcher`.
 * @module
 */

import { wasm } from '../bindings.js';
import { fromWasmError } from '../errors.js';
import { createRouteMatcher } from '../routes.js';
import { evaluateGates } from './handler.js';

/** @typedef {boolean | 'maybe'} Tri */

/**
 * What every route check asks, for Next or the Worker.
 * @typedef {object} RouteModel
 * @property {string} label where the rules are ('middleware.ts', 'PORTCULLIS_ROUTES')
 * @property {(path: string) => Tri} through whether a request for the path reaches the middleware
 * @property {(path: string) => Tri} protects whether the rules send a signed-out visitor to sign-in
 * @property {(path: string) => string} why which rule protects the path, in words
 * @property {{name: string, kind: 'public' | 'protected' | 'unknown', patterns: (string | RegExp)[], where: string}[]} lists
 * @property {{pattern: string, where: string, error: string}[]} invalid patterns that do not compile
 * @property {boolean} hasMatcher whether `through` is decided by a matcher (false: every path)
 */

/** Next's transport suffixes (constants RSC_SUFFIX, RSC_SEGMENTS_DIR_SUFFIX, RSC_SEGMENT_SUFFIX). */
const TRANSPORT = '\\.rsc|\\.segments/.+\\.segment\\.rsc';
const NEXT_DATA_PREFIX = '/:nextData(_next/data/[^/]{1,})?';
/** Clerk v5 authMiddleware's default `ignoredRoutes` (js/next/auth-middleware.js DEFAULT_IGNORED_ROUTES). */
const LEGACY_IGNORED = ['/((?!api|trpc))(_next.*|.+\\.[\\w]+$)'];

/**
 * Next.js's wrapped form of a `config.matcher` source (no i18n, no basePath).
 * @param {string} source
 */
export function nextMatcherSource(source) {
  const suffix = source === '/' ? `(/?index|/?index\\.json|/?index(?:${TRANSPORT}))?` : `{(\\.json|${TRANSPORT})}?`;
  return `${NEXT_DATA_PREFIX}${source}${suffix}`;
}

/**
 * Compiles `config.matcher` the way Next does; `invalid` collects sources that do not compile.
 * @param {{source: unknown, conditional: boolean}[]} entries
 * @param {string} where
 * @param {{pattern: string, where: string, error: string}[]} invalid
 * @returns {(path: string) => Tri}
 */
export function compileNextMatcher(entries, where, invalid) {
  /** @type {{matcher: any, conditional: boolean}[]} */
  const compiled = [];
  let unknown = false;
  for (const { source, conditional } of entries) {
    if (typeof source !== 'string' || !source.startsWith('/')) {
      if (typeof source === 'string') invalid.push({ pattern: source, where, error: 'a matcher source must start with /' });
      unknown = true;
      continue;
    }
    try {
      compiled.push({ matcher: new (/** @type {any} */ (wasm()).PathMatcher)([nextMatcherSource(source)]), conditional });
    } catch (error) {
      const e = /** @type {any} */ (fromWasmError(error));
      invalid.push({ pattern: source, where, error: String(e?.message ?? e).split('\n')[0] });
      unknown = true;
    }
  }
  return (path) => {
    let decoded = path;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      // Next: "can't decode so can't match it" — only the raw form is tested.
    }
    let maybe = unknown;
    for (const { matcher, conditional } of compiled) {
      if (matcher.matchesNormalized(path) || matcher.matchesNormalized(decoded)) {
        if (!conditional) return true;
        maybe = true;
      }
    }
    return maybe ? 'maybe' : false;
  };
}

/**
 * A matcher over one `createRouteMatcher` list; a list that does not compile answers 'maybe'.
 * @param {(string | RegExp)[] | null} patterns
 * @param {string} where
 * @param {{pattern: string, where: string, error: string}[]} invalid
 * @returns {(path: string) => Tri}
 */
export function compileRouteList(patterns, where, invalid) {
  if (patterns === null) return () => 'maybe';
  let broken = false;
  for (const p of patterns) {
    try {
      createRouteMatcher([p]);
    } catch (error) {
      invalid.push({ pattern: String(p), where, error: String(/** @type {Error} */ (error).message).split('\n')[0] });
      broken = true;
    }
  }
  if (broken) return () => 'maybe';
  const matches = createRouteMatcher(patterns);
  return (path) => {
    try {
      return matches(path);
    } catch {
      return 'maybe';
    }
  };
}

/**
 * The route model of a middleware file.
 * @param {import('./source.js').MiddlewareFacts} facts
 * @param {{signInUrl: string | null, signUpUrl: string | null}} urls (legacy authMiddleware makes them public)
 * @returns {RouteModel}
 */
export function nextRouteModel(facts, urls) {
  /** @type {RouteModel['invalid']} */
  const invalid = [];
  /** @type {Record<string, (path: string) => Tri>} */
  const matchers = {};
  for (const [name, m] of Object.entries(facts.matchers)) matchers[name] = compileRouteList(m.patterns, `${name} (${m.file}:${m.line})`, invalid);

  let gates = facts.gates ?? [];
  let ignored = /** @type {((path: string) => Tri) | null} */ (null);
  if (facts.legacy !== null) {
    // v5 authMiddleware: ignored routes skip everything; public routes (plus the sign-in/up URLs and
    // everything under them) pass; everything else is protected.
    const listOf = (/** @type {unknown} */ v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
    const publicList = listOf(facts.legacy.publicRoutes);
    for (const url of [urls.signInUrl, urls.signUpUrl]) if (url && url.startsWith('/')) publicList.push(new RegExp(`^${url.replace(/\/$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(/.*)?$`));
    const ok = (/** @type {unknown[]} */ l) => l.every((p) => typeof p === 'string' || p instanceof RegExp);
    matchers.publicRoutes = compileRouteList(ok(publicList) ? /** @type {any} */ (publicList) : null, 'authMiddleware publicRoutes', invalid);
    const ignoredList = facts.legacy.ignoredRoutes === undefined ? LEGACY_IGNORED : listOf(facts.legacy.ignoredRoutes);
    ignored = compileRouteList(ok(ignoredList) ? /** @type {any} */ (ignoredList) : null, 'authMiddleware ignoredRoutes', invalid);
    gates = [{ kind: 'exempt', when: [{ matcher: 'publicRoutes', negated: false }], opaque: false, line: 0 },
      { kind: 'protect', when: [], opaque: false, line: 0 }];
  }

  const matcherList = facts.matcher;
  const dynamicMatcher = matcherList !== null && !Array.isArray(matcherList);
  const nextMatches = Array.isArray(matcherList) ? compileNextMatcher(matcherList, `config.matcher (${facts.file})`, invalid) : null;
  /** @param {string} path @returns {Tri} */
  const through = (path) => {
    const byMatcher = dynamicMatcher ? 'maybe' : nextMatches === null ? true : nextMatches(path);
    if (byMatcher === false || ignored === null) return byMatcher;
    const skip = ignored(path);
    return skip === true ? false : skip === 'maybe' || byMatcher === 'maybe' ? 'maybe' : true;
  };
  const unknownHandler = facts.handler === 'unknown' || facts.kind === null;
  /** @param {string} path @returns {Tri} */
  const protects = (path) => (unknownHandler ? 'maybe' : evaluateGates(gates, (name) => (matchers[name] ? matchers[name](path) : 'maybe')));

  /** @param {string} path */
  const why = (path) => {
    if (facts.legacy !== null) return `authMiddleware protects every route that is not in publicRoutes (${facts.file})`;
    for (const g of gates) {
      const holds = g.when.every((l) => {
        const m = matchers[l.matcher]?.(path);
        return l.negated ? m === false : m === true;
      });
      if (!holds || g.opaque) continue;
      if (g.kind === 'exempt') return 'an early return lets it through';
      const conds = g.when.map((l) => `${l.matcher} ${l.negated ? 'does not match' : 'matches'} ${path}`);
      return `${conds.length > 0 ? `${conds.join(' and ')}, so ` : ''}auth.protect() runs for it (${facts.file}${g.line ? `:${g.line}` : ''})`;
    }
    return 'the rules protect it';
  };

  /** @type {RouteModel['lists']} */
  const lists = [];
  for (const [name, m] of Object.entries(facts.matchers)) {
    if (m.patterns === null) continue;
    // Protected when a protect gate requires it to match; public when a protect gate requires it not
    // to match (`if (!isPublicRoute(req))`) or an early return follows a match. (A negation that
    // comes from an else branch does not make a list public.)
    const uses = gates.flatMap((g) => g.when.filter((l) => l.matcher === name).map((l) => ({ protect: g.kind === 'protect', negated: l.negated })));
    const kind = uses.some((u) => u.protect && !u.negated) ? 'protected'
      : uses.some((u) => u.protect === u.negated) ? 'public' : 'unknown';
    lists.push({ name, kind, patterns: m.patterns, where: `${m.file}:${m.line}` });
  }
  if (facts.legacy !== null) {
    const pub = facts.legacy.publicRoutes;
    const arr = Array.isArray(pub) ? pub : typeof pub === 'string' ? [pub] : [];
    if (arr.every((p) => typeof p === 'string')) lists.push({ name: 'publicRoutes', kind: 'public', patterns: /** @type {string[]} */ (arr), where: facts.file });
  }
  return { label: facts.file, through, protects, why, lists, invalid, hasMatcher: matcherList !== null };
}
