/**
 * The doctor for `portcullis/worker` deployments: the Worker's variables (wrangler.toml `[vars]`,
 * `.dev.vars`, secrets passed in the environment) judged by the Worker's own configuration parser,
 * and its `PORTCULLIS_ROUTES` turned into the same route model the Next.js checks use.
 *
 * Why the Worker's own code: js/worker/config.js `parseConfig` is what refuses a bad configuration
 * in production (every request answers 500 until it is fixed), and js/worker/rules.js
 * (`parseRoutes`, `ruleFor`) is what decides webhook / public / protected per request; asking them gives the Worker's answers, not a
 * re-implementation's. Problems about keys are left to js/doctor/config.js, which gives them the
 * same codes as for Next.js; the rest become `worker-config-invalid`, one finding per problem.
 * @module
 */

import { normalizePath } from '../normalize.js';
import { parseConfig } from '../worker/config.js';
import { ISSUER_PREFIX } from '../worker/issuer/index.js';
import { parseRoutes, ruleFor } from '../worker/rules.js';
import { finding } from './catalog.js';
import { compileRouteList } from './rules.js';

/** @typedef {import('./catalog.js').Finding} Finding */

/**
 * The Worker's configuration problems, except those about a subject another finding covers.
 * @param {Record<string, string>} vars
 * @param {Set<string>} covered subjects already reported (variable names)
 * @returns {Finding[]}
 */
export function workerConfigFindings(vars, covered) {
  const parsed = parseConfig(vars);
  if (parsed.ok) return [];
  /** @type {Finding[]} */
  const out = [];
  for (const p of parsed.problems) {
    if (covered.has(p.variable)) continue;
    out.push(finding('worker-config-invalid', `${p.variable} ${p.problem} The Worker answers every request with a 500 page until this is fixed (it fails closed).`, p.fix, p.variable));
  }
  return out;
}

/**
 * The route model of PORTCULLIS_ROUTES, or null when it is missing or does not parse (the
 * configuration finding says why).
 * @param {Record<string, string>} vars
 * @returns {import('./rules.js').RouteModel | null}
 */
export function workerRouteModel(vars) {
  const text = vars.PORTCULLIS_ROUTES;
  if (typeof text !== 'string' || text.trim() === '') return null;
  /** @type {import('./rules.js').RouteModel['invalid']} */
  const invalid = [];
  /** @type {any} */
  let spec;
  try {
    spec = JSON.parse(text);
  } catch {
    return null;
  }
  if (spec === null || typeof spec !== 'object') return null;
  /** @type {import('./rules.js').RouteModel['lists']} */
  const lists = [];
  /** @param {string} member @param {'public' | 'protected'} kind @param {unknown[]} entries */
  const list = (member, kind, entries) => {
    const patterns = entries.map((e) => (typeof e === 'string' ? e : /** @type {any} */ (e)?.pattern)).filter((p) => typeof p === 'string');
    patterns.forEach((p, i) => compileRouteList([p], `PORTCULLIS_ROUTES "${member}"[${i}]`, invalid));
    if (patterns.length > 0) lists.push({ name: `"${member}"`, kind, patterns, where: 'PORTCULLIS_ROUTES' });
  };
  list('webhook', 'public', Array.isArray(spec.webhook) ? spec.webhook : []);
  list('public', 'public', Array.isArray(spec.public) ? spec.public : []);
  list('protected', 'protected', Array.isArray(spec.protected) ? spec.protected : []);
  list('api', 'protected', Array.isArray(spec.api) ? spec.api : []);

  const routes = parseRoutes(text, []);
  const localIssuer = vars.PORTCULLIS_LOCAL_ISSUER === '1' || vars.PORTCULLIS_LOCAL_ISSUER === 'true';

  /** @param {string} path */
  const through = (path) => !(localIssuer && (path === ISSUER_PREFIX || path.startsWith(`${ISSUER_PREFIX}/`)));
  /** @param {string} path @returns {import('./rules.js').Tri} */
  const protects = (path) => {
    if (routes === null) return 'maybe';
    try {
      return ruleFor(routes, normalizePath(path)).kind === 'protected';
    } catch {
      return 'maybe';
    }
  };
  /** @param {string} path */
  const why = (path) => {
    if (routes === null) return 'PORTCULLIS_ROUTES protects it';
    const rule = ruleFor(routes, normalizePath(path));
    if (rule.kind !== 'protected') return `it is ${rule.kind}`;
    if (rule.pattern) return `PORTCULLIS_ROUTES "protected" has ${JSON.stringify(rule.pattern)}, which matches it`;
    if (rule.api) return 'it matches PORTCULLIS_ROUTES "api"';
    return 'no "public" pattern matches it and PORTCULLIS_ROUTES "default" is "protected"';
  };
  return { label: 'PORTCULLIS_ROUTES', through, protects, why, lists, invalid, hasMatcher: false };
}

/**
 * The Worker's sign-in and sign-up URLs, for the loop checks (the local issuer serves its own).
 * @param {Record<string, string>} vars
 */
export function workerUrls(vars) {
  return { signInUrl: vars.CLERK_SIGN_IN_URL || null, signUpUrl: vars.CLERK_SIGN_UP_URL || null };
}
