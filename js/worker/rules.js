/**
 * The route rules of PORTCULLIS_ROUTES: parsed and compiled once per configuration (config.js), then
 * asked once per request which rule a path falls under (`ruleFor`).
 *
 * Why a module of its own: the rules are the Worker's security policy, and reading them in one place
 * — the JSON format, its validation with errors that name the fix, and the order in which a path is
 * judged — is how one checks what a configuration lets through. Parsing fails closed: an unknown
 * member, a bad pattern or a wrong status is a configuration problem, never a default.
 *
 *   { "webhook":   ["/api/webhooks/clerk"],                // signed webhooks (Svix), no session
 *     "public":    ["/", "/about(.*)"],                   // anyone; identity still forwarded when signed in
 *     "protected": ["/dashboard(.*)",                     // signed in
 *                   {"pattern": "/admin(.*)", "role": "org:admin"},
 *                   {"pattern": "/reports(.*)", "permission": "org:reports:read"}],
 *     "api":       ["/api(.*)"],                          // signed in; never redirected, answered with `deny`
 *     "deny":      401,          // signed-out answer for API calls: 401 | 403 | 404   (default 401)
 *     "forbidden": 404,          // signed in without the role/permission: 403 | 404 (default 404, like Clerk's protect)
 *     "default":   "protected" } // paths no rule names: "protected" (default) | "public"
 *
 * Patterns are createRouteMatcher patterns (path-to-regexp 6, Clerk's semantics), matched on the
 * normalised path (decoded once, as Clerk and the origin see it). Order: webhook, public, the first
 * matching protected entry, api, default.
 * @module
 */

import { Lru } from '../lru.js';
import { createNormalizedPathMatcher } from '../routes.js';

/**
 * @typedef {object} RouteRule
 * @property {string} pattern
 * @property {(path: string) => boolean} matches
 * @property {{role?: string, permission?: string, feature?: string, plan?: string} | null} needs
 */

/**
 * @typedef {object} Routes
 * @property {(path: string) => boolean} webhook
 * @property {boolean} hasWebhooks whether any webhook pattern is configured
 * @property {(path: string) => boolean} public
 * @property {RouteRule[]} protected
 * @property {(path: string) => boolean} api
 * @property {number} deny
 * @property {number} forbidden
 * @property {boolean} defaultProtected
 * @property {Lru<string, Rule>} answers the rules of paths seen before
 */

const ROUTE_MEMBERS = ['webhook', 'public', 'protected', 'api', 'deny', 'forbidden', 'default'];
const RULE_MEMBERS = ['pattern', 'role', 'permission', 'feature', 'plan'];
export const ROUTES_EXAMPLE = '{"public":["/"],"protected":["/dashboard(.*)",{"pattern":"/admin(.*)","role":"org:admin"}],"api":["/api(.*)"],"deny":401}';

/** How many paths' rules are remembered per configuration (the same pages are asked for again and again). */
const RULE_CACHE_SIZE = 1024;

/** @returns {false} */
const NONE = () => false;

/**
 * Parses PORTCULLIS_ROUTES. Problems are pushed to `problems` (variable PORTCULLIS_ROUTES); null then.
 * @param {string} text
 * @param {import('./config.js').ConfigProblem[]} problems
 * @returns {Routes | null}
 */
export function parseRoutes(text, problems) {
  const bad = (problem, fix = `Write it like ${ROUTES_EXAMPLE}`) => {
    problems.push({ variable: 'PORTCULLIS_ROUTES', problem, fix });
    return null;
  };
  let spec;
  try {
    spec = JSON.parse(text);
  } catch (error) {
    return bad(`is not valid JSON (${/** @type {Error} */ (error).message}).`);
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return bad('must be a JSON object.');
  for (const member of Object.keys(spec)) {
    if (!ROUTE_MEMBERS.includes(member)) return bad(`has an unknown member "${member}"; the members are ${ROUTE_MEMBERS.join(', ')}.`);
  }
  /** @param {string} member */
  const patternList = (member) => {
    const list = spec[member] ?? [];
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) {
      bad(`"${member}" must be an array of pattern strings such as ["/", "/about(.*)"].`);
      return null;
    }
    return list;
  };
  /**
   * @param {string[]} patterns
   * @param {string} where
   */
  const compile = (patterns, where) => {
    if (patterns.length === 0) return NONE;
    try {
      return createNormalizedPathMatcher(patterns);
    } catch (error) {
      bad(`${where}: ${/** @type {Error} */ (error).message}`, 'Fix the pattern (path-to-regexp 6 syntax, e.g. "/dashboard(.*)" or "/orgs/:slug").');
      return null;
    }
  };
  const webhookList = patternList('webhook');
  const publicList = patternList('public');
  const apiList = patternList('api');
  const protectedList = spec.protected ?? [];
  if (!Array.isArray(protectedList)) return bad('"protected" must be an array of patterns or {"pattern", "role"?, "permission"?} objects.');
  /** @type {RouteRule[]} */
  const rules = [];
  for (const [i, entry] of protectedList.entries()) {
    const rule = typeof entry === 'string' ? { pattern: entry } : entry;
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule) || typeof rule.pattern !== 'string') {
      return bad(`"protected"[${i}] must be a pattern string or an object with a "pattern" string.`);
    }
    for (const member of Object.keys(rule)) {
      if (!RULE_MEMBERS.includes(member)) return bad(`"protected"[${i}] has an unknown member "${member}"; the members are ${RULE_MEMBERS.join(', ')}.`);
    }
    /** @type {Record<string, string>} */
    const needs = {};
    for (const member of ['role', 'permission', 'feature', 'plan']) {
      if (rule[member] === undefined) continue;
      if (typeof rule[member] !== 'string' || rule[member] === '') return bad(`"protected"[${i}].${member} must be a non-empty string such as "org:admin".`);
      needs[member] = rule[member];
    }
    const matches = compile([rule.pattern], `"protected"[${i}]`);
    if (matches === null) return null;
    rules.push({ pattern: rule.pattern, matches, needs: Object.keys(needs).length > 0 ? Object.freeze(needs) : null });
  }
  if (webhookList === null || publicList === null || apiList === null) return null;
  const isWebhook = compile(webhookList, '"webhook"');
  const isPublic = compile(publicList, '"public"');
  const isApi = compile(apiList, '"api"');
  if (isWebhook === null || isPublic === null || isApi === null) return null;
  const deny = spec.deny ?? 401;
  if (![401, 403, 404].includes(deny)) return bad(`"deny" is ${JSON.stringify(deny)}; it must be 401, 403 or 404.`, 'Set "deny" to 401 (default), 403 or 404.');
  const forbidden = spec.forbidden ?? 404;
  if (![403, 404].includes(forbidden)) return bad(`"forbidden" is ${JSON.stringify(forbidden)}; it must be 403 or 404.`, 'Set "forbidden" to 403 or 404 (default).');
  const fallback = spec.default ?? 'protected';
  if (fallback !== 'protected' && fallback !== 'public') return bad(`"default" is ${JSON.stringify(fallback)}; it must be "protected" or "public".`, 'Set "default" to "protected" (default, fail closed) or "public".');
  return {
    webhook: isWebhook, hasWebhooks: webhookList.length > 0, public: isPublic, protected: rules, api: isApi,
    deny, forbidden, defaultProtected: fallback === 'protected', answers: new Lru(RULE_CACHE_SIZE),
  };
}

/**
 * @typedef {{kind: 'webhook'} | {kind: 'public'}
 *   | {kind: 'protected', needs: Record<string, string> | null, pattern: string | null, api: boolean}} Rule
 *   `api`: the path is also an api route (answered with `deny`, never redirected)
 */

const PUBLIC = Object.freeze({ kind: /** @type {const} */ ('public') });
const WEBHOOK = Object.freeze({ kind: /** @type {const} */ ('webhook') });

/**
 * The rule that applies to a (normalised) path. Rules are a pure function of the path, so the
 * answer for a path seen before is remembered (each pattern list is a call into the core).
 * @param {Routes} routes
 * @param {string} path
 * @returns {Rule}
 */
export function ruleFor(routes, path) {
  let rule = routes.answers.get(path);
  if (rule === undefined) {
    rule = judge(routes, path);
    routes.answers.set(path, rule);
  }
  return rule;
}

/**
 * @param {Routes} routes
 * @param {string} path
 * @returns {Rule}
 */
function judge(routes, path) {
  if (routes.webhook(path)) return WEBHOOK;
  if (routes.public(path)) return PUBLIC;
  const rule = routes.protected.find((r) => r.matches(path));
  const api = routes.api(path);
  if (rule !== undefined) return Object.freeze({ kind: 'protected', needs: rule.needs, pattern: rule.pattern, api });
  if (api || routes.defaultProtected) return Object.freeze({ kind: 'protected', needs: null, pattern: null, api });
  return PUBLIC;
}
