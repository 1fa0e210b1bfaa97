/**
 * The route checks: sign-in and sign-up pages the rules protect (redirect loops), webhook routes
 * that require a session, static assets and API routes on the wrong side of `config.matcher`,
 * `(.*)` patterns that also match sibling paths, patterns that do not compile, and how one `--url`
 * is handled.
 *
 * Why probes: each question is asked of the route model (js/doctor/rules.js, js/doctor/worker.js)
 * with concrete paths — `/sign-in/factor-one`, `/_next/static/chunks/main.js`, `/api/users` — so
 * every answer comes from the same matchers the middleware runs, and a message can name the path
 * and the rule. An answer of 'maybe' (a rule the doctor cannot read) is never turned into an error:
 * it becomes a `rules-unclear` note naming the path.
 * @module
 */

import { createRouteMatcher } from '../routes.js';
import { finding } from './catalog.js';

/** @typedef {import('./catalog.js').Finding} Finding */
/** @typedef {import('./rules.js').RouteModel} RouteModel */
/** @typedef {import('./rules.js').Tri} Tri */

/**
 * @typedef {object} RouteContext
 * @property {'next' | 'worker'} platform
 * @property {{url: string, subject: string} | null} signIn
 * @property {{url: string, subject: string} | null} signUp
 * @property {{path: string, from: string}[]} webhooks webhook routes found in the project or the rules
 * @property {boolean} apiRoutes whether the app has API routes (unknown: true)
 * @property {boolean} trpc whether the app uses tRPC
 * @property {string[]} appHosts hosts the app is served on (an absolute sign-in URL on them is local)
 */

const STATIC_PROBES = ['/_next/static/chunks/main-app.js', '/_next/static/css/app.css', '/_next/image', '/favicon.ico', '/images/logo.png', '/fonts/inter.woff2'];
const SIGN_IN_STEPS = ['', '/factor-one', '/sso-callback'];
const SIGN_UP_STEPS = ['', '/verify-email-address', '/sso-callback'];

/** @param {Tri} a @param {Tri} b @returns {Tri} */
function both(a, b) {
  return a === false || b === false ? false : a === true && b === true ? true : 'maybe';
}

/** Whether the rules protect a request for `path` that reaches them. @param {RouteModel} model @param {string} path */
function guarded(model, path) {
  const through = model.through(path);
  return through === false ? false : both(through, model.protects(path));
}

/** The path of a configured URL when this app serves it, else null. @param {string} url @param {string[]} hosts */
function localPath(url, hosts) {
  if (url.startsWith('/') && !url.startsWith('//')) return url.split(/[?#]/)[0].replace(/\/$/, '') || '/';
  try {
    const u = new URL(url);
    return hosts.includes(u.host) ? u.pathname.replace(/\/$/, '') || '/' : null;
  } catch {
    return null;
  }
}

/**
 * The fix that makes `path` public, in the words of the rules it has.
 * @param {RouteModel} model @param {RouteContext} ctx @param {string[]} patterns
 */
function makePublic(model, ctx, patterns) {
  const quoted = patterns.map((p) => `'${p}'`).join(', ');
  if (ctx.platform === 'worker') return `Add ${patterns.map((p) => JSON.stringify(p)).join(', ')} to PORTCULLIS_ROUTES "public".`;
  const pub = model.lists.find((l) => l.kind === 'public');
  if (pub) return `Add ${quoted} to ${pub.name} (${pub.where}).`;
  const prot = model.lists.find((l) => l.kind === 'protected');
  if (prot) return `Narrow the patterns of ${prot.name} (${prot.where}) so that they do not match ${patterns[0]}, or check a public list first: const isPublicRoute = createRouteMatcher([${quoted}]); if (isPublicRoute(req)) return;`;
  return `Exempt it before auth.protect(): const isPublicRoute = createRouteMatcher([${quoted}]); if (!isPublicRoute(req)) await auth.protect();`;
}

/**
 * The sign-in / sign-up loop checks.
 * @param {RouteModel} model @param {RouteContext} ctx @param {Finding[]} out @param {string[]} unsure
 */
function authPages(model, ctx, out, unsure) {
  for (const [which, setting, steps, code] of /** @type {const} */ ([
    ['sign-in', ctx.signIn, SIGN_IN_STEPS, 'sign-in-url-protected'], ['sign-up', ctx.signUp, SIGN_UP_STEPS, 'sign-up-url-protected']])) {
    if (setting === null) continue;
    const base = localPath(setting.url, ctx.appHosts);
    if (base === null) continue;
    const probes = steps.map((s) => (base === '/' ? s || '/' : base + s));
    const hit = probes.find((p) => guarded(model, p) === true);
    if (hit !== undefined) {
      const consequence = which === 'sign-in'
        ? `A signed-out visitor is redirected to the sign-in page, whose own request is redirected to sign-in again (${base}?redirect_url=…${base}…) until the browser stops with "too many redirects".`
        : 'A signed-out visitor who follows "Sign up" is redirected to sign-in instead, so nobody can create an account.';
      const step = hit === base ? '' : ` (${hit} is a step of Clerk's <${which === 'sign-in' ? 'SignIn' : 'SignUp'} /> flow)`;
      out.push(finding(code, `${setting.url} (${setting.subject}) is protected by ${model.label}: ${model.why(hit)}${step}. ${consequence}`,
        makePublic(model, ctx, base === '/' ? ['/'] : [base, `${base}/(.*)`]), setting.subject));
    } else if (probes.some((p) => guarded(model, p) === 'maybe')) {
      unsure.push(`whether ${base} (${which}) is protected`);
    }
  }
}

/**
 * Every route finding for one model.
 * @param {RouteModel} model
 * @param {RouteContext} ctx
 * @returns {{findings: Finding[], unsure: string[]}}
 */
export function routeFindings(model, ctx) {
  /** @type {Finding[]} */
  const out = [];
  /** @type {string[]} */
  const unsure = [];
  for (const bad of model.invalid) {
    out.push(finding('route-pattern-invalid', `${JSON.stringify(bad.pattern)} in ${bad.where} does not compile: ${bad.error}${ctx.platform === 'next' ? ' The middleware module throws when it loads, so every request fails.' : ''}`,
      "path-to-regexp 6 has no bare *: write '/foo(.*)' or '/foo/:path*' for a subtree, '(.*)' for anything.", bad.where));
  }
  authPages(model, ctx, out, unsure);

  for (const { path, from } of ctx.webhooks) {
    const g = guarded(model, path);
    if (g === true) {
      out.push(finding('webhook-route-protected', `${path} (${from}) requires a session: ${model.why(path)}. Webhook senders (Clerk via Svix, Stripe, …) have no session, so every delivery is refused (${ctx.platform === 'worker' ? 'the "deny" status' : "auth.protect()'s 404 rewrite for non-page requests"}) and retried until the sender disables the endpoint.`,
        `${makePublic(model, ctx, [path.replace(/\/[^/]*$/, '') || path, `${path.replace(/\/[^/]*$/, '') || path}/(.*)`])} Authenticate the webhook by its signature instead (verifyWebhook from 'portcullis').`, path));
    } else if (g === 'maybe') unsure.push(`whether the webhook route ${path} is protected`);
  }

  if (ctx.platform === 'next') {
    const through = STATIC_PROBES.filter((p) => model.through(p) === true);
    const guardedStatic = through.filter((p) => model.protects(p) === true);
    const where = model.hasMatcher ? `config.matcher in ${model.label} lets them through` : `${model.label} has no config.matcher, so the middleware runs for every request`;
    if (guardedStatic.length > 0) {
      out.push(finding('static-assets-protected', `Static files go through the middleware and are protected: ${guardedStatic.join(', ')} (${where}; ${model.why(guardedStatic[0])}). For a signed-out visitor the scripts and styles of every page — the sign-in page included — are answered with redirects or 404s, so pages render blank.`,
        "Exclude Next.js internals and static files with Clerk's recommended matcher: export const config = { matcher: ['/((?!_next|[^?]*\\\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)', '/(api|trpc)(.*)'] };", 'config.matcher'));
    } else if (through.length > 0) {
      out.push(finding('matcher-includes-static', `Static files go through the middleware: ${through.join(', ')} (${where}). Each one runs a session check — slower pages, more Backend API traffic, and a bad rule away from blocking assets.`,
        "Use Clerk's recommended matcher: export const config = { matcher: ['/((?!_next|[^?]*\\\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)', '/(api|trpc)(.*)'] };", 'config.matcher'));
    }
    const apiProbes = [...(ctx.apiRoutes ? ['/api/users'] : []), ...(ctx.trpc ? ['/trpc/user.list'] : [])];
    const skipped = apiProbes.filter((p) => model.through(p) === false);
    if (skipped.length > 0) {
      out.push(finding('matcher-skips-api', `config.matcher in ${model.label} does not match ${skipped.join(' or ')}: the middleware never runs for those routes, so auth() in a route handler throws "auth() was called but Clerk can't detect usage of clerkMiddleware()" and no rule protects them.`,
        "Add '/(api|trpc)(.*)' to config.matcher (and do not exclude api in the negative lookahead).", 'config.matcher'));
    }
    const maybe = [...STATIC_PROBES, ...apiProbes].filter((p) => model.through(p) === 'maybe');
    if (maybe.length > 0) unsure.push(`whether ${maybe.join(', ')} go through the middleware (config.matcher has has/missing conditions or values that are not literals)`);
  }

  for (const list of model.lists) {
    for (const pattern of list.patterns) {
      const sibling = siblingOf(pattern);
      if (sibling === null) continue;
      const effect = list.kind === 'public' ? 'so such paths are public too' : list.kind === 'protected' ? 'so such paths are protected too' : 'so such paths get the same rule';
      out.push(finding('pattern-matches-siblings', `${JSON.stringify(pattern)} in ${list.name} (${list.where}) also matches ${sibling.example}: (.*) matches any characters after ${sibling.prefix}, not only ${sibling.prefix} and the paths under it, ${effect}.`,
        `Write '${sibling.prefix}' and '${sibling.prefix}/(.*)' (or '${sibling.prefix}/:path*'), which match ${sibling.prefix} and the paths under it only.`, `${list.name}:${pattern}`));
    }
  }
  return { findings: out, unsure };
}

/**
 * For `'/admin(.*)'`: the sibling path it also matches and the prefix, checked with the matcher
 * itself (and the suggested replacement checked not to match the sibling). Null for other patterns.
 * @param {string | RegExp} pattern
 * @returns {{prefix: string, example: string} | null}
 */
export function siblingOf(pattern) {
  if (typeof pattern !== 'string') return null;
  const m = /^((?:\/[A-Za-z0-9._~-]+)+)\(\.\*\)$/.exec(pattern);
  if (m === null) return null;
  const prefix = m[1];
  const example = `${prefix}-old`;
  try {
    const original = createRouteMatcher([pattern]);
    const fixed = createRouteMatcher([prefix, `${prefix}/(.*)`]);
    const same = [prefix, `${prefix}/`, `${prefix}/a/b`].every((p) => original(p) && fixed(p));
    return same && original(example) && !fixed(example) ? { prefix, example } : null;
  } catch {
    return null;
  }
}

/**
 * How the middleware handles one URL.
 * @param {RouteModel} model
 * @param {URL} url
 * @returns {Finding[]}
 */
export function urlRouteFindings(model, url) {
  const path = url.pathname;
  const through = model.through(path);
  const staticLike = path.startsWith('/_next/') || /\.[A-Za-z0-9]+$/.test(path.split('/').pop() ?? '');
  if (through === false) {
    if (staticLike) return [finding('url-route', `${path} does not go through the middleware (${model.label}): served as a static file, without any session check.`, 'Nothing to do for a static file.', '--url')];
    return [finding('url-skips-middleware', `${path} does not go through the middleware: ${model.hasMatcher ? `config.matcher in ${model.label} does not match it` : 'the Worker does not handle it'}. auth() / currentUser() in that page or route throw ("can't detect usage of clerkMiddleware()"), and no rule protects it.`,
      "Make config.matcher match it: Clerk's recommended matcher covers every page and '/(api|trpc)(.*)'.", '--url')];
  }
  const protects = model.protects(path);
  const state = protects === true ? `protected: ${model.why(path)}. A signed-out page request is redirected to sign-in; an API call gets ${model.label === 'PORTCULLIS_ROUTES' ? 'the "deny" status' : 'a 404 (auth.protect() rewrite)'}`
    : protects === false ? 'public: the rules let signed-out visitors through (auth() tells the page who, if anyone, is signed in)'
      : 'possibly protected: the rules depend on something the doctor cannot read';
  return [finding('url-route', `${path} ${through === true ? 'goes through the middleware' : 'may go through the middleware'} (${model.label}) and is ${state}.`, 'Nothing to fix if this is what you intended.', '--url')];
}
