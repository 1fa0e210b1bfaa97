/**
 * `diagnose(project, args)`: every doctor check over one project, as data — the API behind
 * `npx portcullis doctor`.
 *
 * Why split this way: the checks are pure (js/doctor/*: no file system, no process, no Node-only
 * import; the only IO is the token check's key fetch when the key source is remote), and the CLI
 * (bin/portcullis.js, js/cli/project.js) does the reading: environment files, the middleware file,
 * wrangler.toml, the app's route folders. A project can therefore also be described by hand, e.g.
 * in a test or another tool, and the same findings come out. The environment and option checks
 * (js/doctor/config.js) are also what `clerkMiddleware({ debug: true })` runs at start-up.
 *
 * The result lists findings (errors first), each `{code, severity, message, fix}`, with every
 * secret value cut out of the texts, and counts per severity.
 * @module
 */

import { finding, redactFindings, secretValues, sortFindings, summarize } from './catalog.js';
import { checkConfig, isDynamic } from './config.js';
import { authPageSources, cookieFindings, hostFindings, parseHosts } from './hosts.js';
import { routeFindings, urlRouteFindings } from './routes.js';
import { nextRouteModel } from './rules.js';
import { tokenFindings } from './token.js';

export { CODES } from './catalog.js';
export { checkConfig, warnAtStartup } from './config.js';

/** @typedef {import('./catalog.js').Finding} Finding */

/**
 * What the doctor knows about a project (js/cli/project.js builds it from a directory).
 * @typedef {object} Project
 * @property {Record<string, string>} env the merged environment, in Next.js's precedence
 * @property {Record<string, string>} [sources] variable → where it was read
 * @property {import('./source.js').MiddlewareFacts | null} middleware
 * @property {{found: string, expected: string} | null} [misplaced] a middleware file Next.js will not load
 * @property {Record<string, string> | null} [worker] the Worker's variables, when there is a wrangler.toml
 * @property {string[]} [webhookRoutes] URL paths of the app's webhook route handlers
 * @property {boolean} [apiRoutes] whether the app has API routes (default true)
 * @property {boolean} [trpc] whether the app uses tRPC
 */

/**
 * @typedef {object} DoctorArgs
 * @property {string} [token] a session token to verify
 * @property {string} [url] a URL of the app (or of its API) to check
 * @property {{text: string, name: string} | {url: string}} [jwks] a key set to verify the token with
 * @property {number} [now] the time, ms since the epoch (default Date.now())
 */

/** Variables that commonly hold the app's own URL. */
const APP_URL_VARS = ['NEXT_PUBLIC_APP_URL', 'NEXT_PUBLIC_SITE_URL', 'NEXT_PUBLIC_BASE_URL', 'APP_URL', 'SITE_URL', 'VERCEL_PROJECT_PRODUCTION_URL'];

/**
 * @param {Record<string, string>} env
 * @param {import('./config.js').Keys} keys
 * @returns {import('./hosts.js').HostSource[]}
 */
function appSources(env, keys) {
  const out = APP_URL_VARS.filter((name) => env[name]).map((name) => ({ url: env[name], from: name }));
  for (const origin of keys.authorizedParties ?? []) out.push({ url: origin, from: 'authorizedParties' });
  return out;
}

/** @param {Finding[]} findings */
function subjects(findings) {
  const out = new Set(findings.map((f) => f.subject ?? ''));
  if ([...out].some((s) => s.startsWith('PORTCULLIS_ROUTES'))) out.add('PORTCULLIS_ROUTES');
  return out;
}

/**
 * Runs every check.
 * @param {Project} project
 * @param {DoctorArgs} [args]
 * @returns {Promise<{findings: Finding[], summary: {errors: number, warnings: number, infos: number}}>}
 */
export async function diagnose(project, args = {}) {
  const env = project.env ?? {};
  const facts = project.middleware ?? null;
  /** @type {Finding[]} */
  const out = [];
  /** @type {string[]} */
  const unclear = [];
  const target = args.url === undefined ? null : parseHosts([{ url: args.url, from: '--url' }])[0]?.url ?? null;

  const rawOptions = facts?.options ?? {};
  const options = /** @type {Record<string, unknown>} */ (isDynamic(rawOptions) ? {} : rawOptions);
  const worker = project.worker ?? null;
  const platform = facts !== null || worker === null ? 'next' : 'worker';
  const { findings: configFindings, keys } = checkConfig({ platform, env: platform === 'worker' ? /** @type {Record<string, string>} */ (worker) : env, options, sources: project.sources });
  out.push(...configFindings);

  /** @type {import('./rules.js').RouteModel | null} */
  let model = null;
  const appHosts = parseHosts([...appSources(env, keys), ...(target ? [{ url: target.href, from: '--url' }] : [])]).map((h) => h.url.host);
  const routeContext = {
    webhooks: (project.webhookRoutes ?? []).map((path) => ({ path, from: 'a route handler in the app' })),
    apiRoutes: project.apiRoutes ?? true, trpc: project.trpc ?? false, appHosts,
  };

  if (facts === null && worker === null) {
    out.push(finding('middleware-not-found', 'No middleware.ts / middleware.js / proxy.ts (at the project root or in src/) and no wrangler.toml were found, so no route was checked. Without the middleware, auth() and currentUser() throw "Clerk can\'t detect usage of clerkMiddleware()" and nothing is protected.',
      "Create middleware.ts (Next.js 15) or proxy.ts (Next.js 16) next to your app/ folder: export default clerkMiddleware(); export const config = { matcher: [...] } — or pass --dir with the project's folder.", 'middleware'));
  }
  if (facts !== null) {
    if (project.misplaced) {
      out.push(finding('middleware-misplaced', `${project.misplaced.found} is not loaded by Next.js: ${project.misplaced.expected}. The middleware silently never runs.`,
        `Move it to ${project.misplaced.expected.replace(/^.*?: /, '')}`, project.misplaced.found));
    }
    if (facts.parseError !== null) {
      out.push(finding('middleware-unreadable', `${facts.file} does not parse: ${facts.parseError}`, 'Fix the syntax error (next build reports the same).', facts.file));
    } else if (facts.kind === null) {
      out.push(finding('clerk-middleware-not-found', `${facts.file} does not export clerkMiddleware(...) (as the default export, or as middleware / proxy), so no Clerk session handling runs and the route rules could not be read.`,
        "export default clerkMiddleware(async (auth, req) => { … }) with clerkMiddleware imported from 'portcullis/next' (or '@clerk/nextjs/server').", facts.file));
    } else {
      const signInOption = typeof options.signInUrl === 'string' ? options.signInUrl : null;
      const signUpOption = typeof options.signUpUrl === 'string' ? options.signUpUrl : null;
      const signIn = signInOption ?? env.NEXT_PUBLIC_CLERK_SIGN_IN_URL ?? null;
      const signUp = signUpOption ?? env.NEXT_PUBLIC_CLERK_SIGN_UP_URL ?? null;
      model = nextRouteModel(facts, { signInUrl: signIn, signUpUrl: signUp });
      for (const list of model.lists) {
        if (list.kind === 'unknown') unclear.push(`${list.name} (${list.where}) is not used in a condition around auth.protect() the doctor can read, so it is not known whether it lists public or protected routes`);
      }
      const { findings, unsure } = routeFindings(model, {
        platform: 'next', ...routeContext,
        signIn: signIn ? { url: signIn, subject: signInOption ? 'signInUrl option' : 'NEXT_PUBLIC_CLERK_SIGN_IN_URL' } : null,
        signUp: signUp ? { url: signUp, subject: signUpOption ? 'signUpUrl option' : 'NEXT_PUBLIC_CLERK_SIGN_UP_URL' } : null,
        webhooks: [...routeContext.webhooks, ...webhookPatterns(model)],
      });
      out.push(...findings);
      unclear.push(...facts.unclear, ...unsure.map((u) => `cannot tell ${u}`));
    }
  }
  if (worker !== null) {
    // Loaded only for Worker projects: the Worker's modules stay out of a Next.js-only run.
    const { workerConfigFindings, workerRouteModel, workerUrls } = await import('./worker.js');
    const workerKeys = platform === 'worker' ? { findings: [] } : checkConfig({ platform: 'worker', env: worker });
    out.push(...workerKeys.findings);
    const wmodel = workerRouteModel(worker);
    /** @type {Finding[]} */
    const routeOut = [];
    if (wmodel !== null) {
      const urls = workerUrls(worker);
      const { findings, unsure } = routeFindings(wmodel, {
        platform: 'worker', ...routeContext,
        signIn: urls.signInUrl ? { url: urls.signInUrl, subject: 'CLERK_SIGN_IN_URL' } : null,
        signUp: urls.signUpUrl ? { url: urls.signUpUrl, subject: 'CLERK_SIGN_UP_URL' } : null,
        webhooks: [...routeContext.webhooks, ...webhookPatterns(wmodel)],
      });
      routeOut.push(...findings);
      unclear.push(...unsure.map((u) => `cannot tell ${u}`));
      model ??= wmodel;
    }
    out.push(...routeOut, ...workerConfigFindings(worker, subjects([...out, ...routeOut])));
  }

  const pageUrls = platform === 'worker'
    ? [{ url: worker?.CLERK_SIGN_IN_URL, from: 'CLERK_SIGN_IN_URL' }, { url: worker?.CLERK_SIGN_UP_URL, from: 'CLERK_SIGN_UP_URL' }]
    : [{ url: /** @type {string | undefined} */ (options.signInUrl) || env.NEXT_PUBLIC_CLERK_SIGN_IN_URL, from: options.signInUrl ? 'signInUrl' : 'NEXT_PUBLIC_CLERK_SIGN_IN_URL' },
      { url: /** @type {string | undefined} */ (options.signUpUrl) || env.NEXT_PUBLIC_CLERK_SIGN_UP_URL, from: options.signUpUrl ? 'signUpUrl' : 'NEXT_PUBLIC_CLERK_SIGN_UP_URL' }];
  out.push(...hostFindings(keys, [...(target ? [{ url: target.href, from: '--url' }] : []), ...appSources(env, keys), ...authPageSources(pageUrls, keys.frontendApi)]));
  if (target !== null) {
    if (model !== null) out.push(...urlRouteFindings(model, target));
    out.push(...cookieFindings(target, parseHosts(appSources(env, keys))));
  }
  if (args.token !== undefined) {
    out.push(...await tokenFindings({ token: args.token, keys, options, env, jwks: args.jwks ?? null, now: args.now ?? Date.now() }));
  }
  if (unclear.length > 0) {
    out.push(finding('rules-unclear', `Some of the route rules could not be read, so the checks that depend on them were skipped rather than guessed: ${[...new Set(unclear)].join('; ')}.`,
      'Nothing may be wrong. To let the doctor check them, write the rules in the usual shape: const isPublicRoute = createRouteMatcher([...literal patterns]); export default clerkMiddleware(async (auth, req) => { if (!isPublicRoute(req)) await auth.protect(); });', 'rules'));
  }

  const secrets = secretValues({ ...env, ...(worker ?? {}) }, options, args.token ? [args.token.trim().replace(/^Bearer\s+/i, '')] : []);
  const findings = sortFindings(redactFindings(out, secrets));
  return { findings, summary: summarize(findings) };
}

/**
 * Sample paths of patterns that name a webhook route (`/api/webhooks(.*)` → `/api/webhooks/clerk`).
 * @param {import('./rules.js').RouteModel} model
 */
function webhookPatterns(model) {
  const out = [];
  for (const list of model.lists) {
    if (list.kind !== 'protected') continue;
    for (const p of list.patterns) {
      if (typeof p !== 'string' || !/webhook/i.test(p)) continue;
      const path = p.replace(/\/?\(\.\*\)$/, '').replace(/\/:[A-Za-z0-9_]+[*+?]?$/, '').replace(/\/$/, '');
      if (/^(\/[A-Za-z0-9._~-]+)+$/.test(path)) out.push({ path: `${path}/clerk`, from: `${list.name} in ${list.where}` });
    }
  }
  return out;
}
