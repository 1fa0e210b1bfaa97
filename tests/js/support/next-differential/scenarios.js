/**
 * Seeded scenario generator for the Next middleware differential test.
 *
 * A scenario is plain data (printable, replayable): which keys and call shape the middleware is
 * built with, the request (method, URL, headers, cookies, Authorization), the session token's state,
 * and what the handler does (nothing, inspect `auth()`, `auth.protect(...)` with its parameters,
 * `redirectToSignIn/Up`, return a custom response, `notFound()`, throw). At most one "deliberate
 * difference" feature is put in a scenario (`feature`), so each difference can be attributed.
 * @module
 */

import { INSTANCES, cookieSuffix, signToken } from './fixtures.js';
import { mulberry32 } from '../prng.js';

/** Seeded choices for test data. @param {number} seed */
export function rng(seed) {
  const next = mulberry32(seed);
  const pick = (items) => items[Math.floor(next() * items.length)];
  const chance = (p) => next() < p;
  /** @param {[unknown, number][]} weighted */
  const weighted = (weighted) => {
    const total = weighted.reduce((s, [, w]) => s + w, 0);
    let r = next() * total;
    for (const [item, w] of weighted) if ((r -= w) < 0) return item;
    return weighted[weighted.length - 1][0];
  };
  return { next, pick, chance, weighted };
}

export const PROTECTED_ROUTES = ['/dashboard(.*)', '/admin(.*)', '/api/(.*)'];

const PATHS = ['/', '/dashboard', '/dashboard/settings', '/admin', '/admin/users', '/api/data', '/api/%61dmin', '/public/page',
  '/%zz', '/dash%', '//dashboard', '/DASHBOARD', '/sign-in', '/api/items/42'];
const QUERIES = ['', '', '', '?foo=bar', '?a=1&b=two%20words', '?redirect_url=%2Felsewhere'];
const ACCEPTS = ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'application/json', '*/*', 'text/x-component', null, null];
const DESTS = ['document', 'document', 'iframe', 'empty', null, null, null];

/** Session-token states (claims relative to `now`, in seconds). */
const TOKEN_STATES = [
  ['valid', 6], ['expired', 2], ['nbf', 1], ['iatFuture', 1], ['iatBeforeUat', 1], ['badSig', 1], ['otherInstance', 1],
  ['pending', 1], ['orgAdmin', 3], ['orgMember', 2], ['orgV2', 1], ['actor', 1], ['malformed', 1], ['noSid', 1],
];

/** The handler's behaviour. */
const HANDLERS = [
  ['nothing', 2], ['inspect', 3], ['protect', 8], ['protectAll', 3], ['redirectToSignIn', 2], ['redirectToSignUp', 1],
  ['custom', 3], ['notFound', 1], ['throw', 1],
];

const PROTECT_ARGS = [
  [[], 4],
  [[{ role: 'org:admin' }], 2],
  [[{ permission: 'org:sys_memberships:manage' }], 2],
  [[{ role: 'org:member' }], 1],
  [['predicate-admin'], 2],
  [['predicate-false'], 1],
  [[{ unauthenticatedUrl: 'https://example.com/login' }], 1],
  [[{ role: 'org:admin', unauthorizedUrl: 'https://example.com/denied' }], 1],
  [[{ role: 'org:admin' }, { unauthorizedUrl: 'https://accounts.example.net/denied', unauthenticatedUrl: 'https://accounts.example.net/login' }], 1],
  [[{ unauthorizedUrl: 'https://example.com/denied', token: 'session_token' }], 1],
  [[{ token: 'any' }], 1],
  [[{ token: ['session_token', 'api_key'] }], 1],
  [[{ token: 'm2m_token' }], 1],
  [[{ feature: 'premium' }], 1],
];

const CUSTOM = ['json', 'text418', 'redirectOut', 'redirectSame', 'rewriteSame', 'rewriteCross', 'nextWithHeaders', 'nextPlain'];

/**
 * The session token for a state, or a raw string.
 * @param {string} state
 * @param {{frontendApi: string}} instance
 * @param {number} nowSec
 * @returns {{token: string, iat: number | null}}
 */
function tokenFor(state, instance, nowSec) {
  const base = { iss: `https://${instance.frontendApi}`, sub: 'user_2abc', sid: 'sess_2abc', iat: nowSec - 10, nbf: nowSec - 20, exp: nowSec + 60 };
  switch (state) {
    case 'valid': return { token: signToken(base), iat: base.iat };
    case 'expired': return { token: signToken({ ...base, iat: nowSec - 120, nbf: nowSec - 130, exp: nowSec - 30 }), iat: nowSec - 120 };
    case 'nbf': return { token: signToken({ ...base, nbf: nowSec + 60, exp: nowSec + 120 }), iat: base.iat };
    case 'iatFuture': return { token: signToken({ ...base, iat: nowSec + 60, exp: nowSec + 120 }), iat: nowSec + 60 };
    case 'iatBeforeUat': return { token: signToken(base), iat: base.iat, uat: base.iat + 50 };
    case 'badSig': return { token: signToken(base, { key: 'attacker' }), iat: base.iat };
    case 'otherInstance': return { token: signToken({ ...base, iss: 'https://clerk.other-app.com' }, { key: 'attacker', kid: 'ins_other' }), iat: base.iat };
    case 'pending': return { token: signToken({ ...base, sts: 'pending' }), iat: base.iat };
    case 'orgAdmin': return { token: signToken({ ...base, org_id: 'org_1', org_role: 'org:admin', org_slug: 'acme', org_permissions: ['org:sys_memberships:manage'] }), iat: base.iat };
    case 'orgMember': return { token: signToken({ ...base, org_id: 'org_1', org_role: 'org:member', org_slug: 'acme', org_permissions: [] }), iat: base.iat };
    case 'orgV2': return { token: signToken({ ...base, v: 2, o: { id: 'org_2', rol: 'admin', slg: 'beta', per: 'manage', fpm: '1' }, fea: 'o:members,u:premium', pla: 'u:pro' }), iat: base.iat };
    case 'actor': return { token: signToken({ ...base, act: { sub: 'user_admin' } }), iat: base.iat };
    case 'noSid': {
      const { sid, ...rest } = base;
      return { token: signToken(rest), iat: base.iat };
    }
    case 'malformed': return { token: 'not.a.jwt', iat: null };
    // Deliberately stricter parsing (feature 'strict'):
    case 'padded': return { token: signToken(base, { padded: true }), iat: base.iat };
    case 'duplicateKey': return {
      token: signToken(base, { rawPayload: JSON.stringify(base).replace('"sub":"user_2abc"', '"sub":"user_evil","sub":"user_2abc"') }),
      iat: base.iat,
    };
    case 'templateCat': return { token: signToken(base, { header: { cat: 'cl_B7d4PD222AAA' } }), iat: base.iat };
    case 'nbfHuge': return { token: signToken({ ...base, nbf: 1e20 }), iat: base.iat };
    default: throw new Error(`unknown token state ${state}`);
  }
}

/**
 * One scenario.
 * @param {ReturnType<typeof rng>} r
 * @param {number} id
 * @param {number} nowMs
 */
export function generateScenario(r, id, nowMs) {
  const nowSec = Math.floor(nowMs / 1000);
  const shape = r.weighted([['options', 5], ['handler+options', 8], ['handler+callback', 3], ['none', 1], ['handler', 3], ['direct', 1]]);
  const optionless = shape === 'none' || shape === 'handler' || shape === 'direct';
  const instanceName = optionless ? 'env' : r.weighted([['env', 1], ['prod', 3], ['dev', 2], ['kima', 2]]);
  const instance = instanceName === 'env' ? { ...INSTANCES.prod, secretKey: 'sk_live_differential_env' } : INSTANCES[instanceName];
  const verify = optionless ? 'jwks' : r.weighted([['jwtKey', 3], ['jwks', 1]]);
  const feature = optionless ? r.weighted([[null, 9], ['forged', 1], ['machine', 1]])
    : r.weighted([[null, 14], ['forwarded', 1], ['forged', 1], ['c3', instance.dev ? 2 : 0], ['machine', 1], ['strict', 2]]);

  /** @type {Record<string, unknown>} */
  const extra = {};
  if (!optionless) {
    const signIn = r.weighted([[undefined, 3], ['/sign-in', 2], ['https://accounts.example.com/sign-in', 1]]);
    if (signIn) extra.signInUrl = signIn;
    if (signIn && r.chance(0.4)) extra.signUpUrl = r.pick(['/sign-up', 'https://accounts.example.com/sign-up']);
    if (r.chance(0.15)) extra.authorizedParties = r.pick([['https://example.com'], ['https://other.example.org']]);
    if (r.chance(0.1)) extra.clockSkewInMs = r.pick([0, 60_000]);
  }

  let origin = instance.dev ? r.pick(['http://localhost:3000', 'https://example.com']) : 'https://example.com';
  let path = r.pick(PATHS);
  // Multi-domain and organization options (plain values, or functions of the request URL).
  const multi = optionless || feature !== null ? null
    : r.weighted([[null, 12], ['satellite', 2], ['satelliteFn', 1], ['satelliteAuto', 1], ['proxy', 1], ['proxyAbsolute', 1], ['orgSync', 2]]);
  if (multi === 'satellite' || multi === 'satelliteFn' || multi === 'satelliteAuto') {
    Object.assign(extra, instance.dev
      ? { isSatellite: multi === 'satelliteFn' ? 'fn:isSatellite' : true, domain: multi === 'satelliteFn' ? 'fn:domain' : 'localhost:3001', signInUrl: 'http://localhost:3000/sign-in' }
      : { isSatellite: multi === 'satelliteFn' ? 'fn:isSatellite' : true, domain: multi === 'satelliteFn' ? 'fn:domain' : 'satellite.example.com', signInUrl: 'https://primary.example.com/sign-in' });
    if (multi === 'satelliteAuto') extra.satelliteAutoSync = true;
    origin = instance.dev ? 'http://localhost:3001' : 'https://satellite.example.com';
  }
  if (multi === 'proxy') extra.proxyUrl = r.pick(['/__clerk', 'fn:proxyUrl']);
  if (multi === 'proxyAbsolute') extra.proxyUrl = `${origin}/__clerk`;
  if (multi === 'orgSync') {
    extra.organizationSyncOptions = { organizationPatterns: ['/orgs/:slug', '/orgs/:slug/(.*)'], personalAccountPatterns: ['/me', '/me/(.*)'] };
    path = r.pick(['/orgs/acme', '/orgs/acme/settings', '/orgs/other/x', '/me', '/me/profile', '/dashboard']);
  }
  let query = r.pick(QUERIES);
  if (instance.dev && r.chance(0.08)) query = '?__clerk_db_jwt=dvb_from_query';
  if (r.chance(0.05)) query = r.pick(['?__clerk_synced=true', '?__clerk_handshake_nonce=nonce_1']);
  if (multi?.startsWith('satellite') && r.chance(0.4)) query = r.pick(['?__clerk_synced=false', '?__clerk_synced=true']);
  const method = r.weighted([['GET', 8], ['POST', 2], ['PUT', 1], ['HEAD', 1]]);

  /** @type {Record<string, string>} */
  const headers = {};
  const accept = r.pick(ACCEPTS);
  if (accept) headers.accept = accept;
  const dest = r.pick(DESTS);
  if (dest) headers['sec-fetch-dest'] = dest;
  if (r.chance(0.12)) headers['next-url'] = '/dashboard';
  if (r.chance(0.08)) headers['next-action'] = '7f3a9c';
  if (r.chance(0.05)) headers['content-type'] = 'multipart/form-data; boundary=x';
  if (r.chance(0.04)) headers['x-nextjs-data'] = '1';
  if (r.chance(0.1)) headers.referer = r.pick(['https://example.com/from', 'https://satellite.example.org/page', 'https://accounts.example.com/sign-in']);
  if (r.chance(0.05)) headers.origin = 'https://example.com';
  headers['user-agent'] = 'differential/1.0';

  // The session token and where it travels.
  const tokenState = feature === 'strict' ? r.pick(['padded', 'duplicateKey', 'templateCat', 'nbfHuge', 'audience']) : r.weighted(TOKEN_STATES);
  const tokenInfo = tokenFor(tokenState === 'audience' ? 'valid' : tokenState, instance, nowSec);
  if (tokenState === 'audience') extra.audience = 'https://api.example.com';
  const carrier = feature === 'machine' ? 'machine'
    : r.weighted([['none', 3], ['cookie', 7], ['cookieSuffixed', 2], ['cookieBoth', 1], ['cookieNoUat', 1], ['uatOnly', 1], ['uatZero', 1],
      ['header', 3], ['headerBasic', 1], ['headerBare', 1], ['headerAndCookie', 1]]);
  const cookies = [];
  const suffix = cookieSuffix(instance.publishableKey);
  const uat = String(tokenInfo.uat ?? (tokenInfo.iat === null ? nowSec - 100 : tokenInfo.iat - 100));
  switch (carrier) {
    case 'cookie': cookies.push(`__session=${tokenInfo.token}`, `__client_uat=${uat}`); break;
    case 'cookieSuffixed': cookies.push(`__session_${suffix}=${tokenInfo.token}`, `__client_uat_${suffix}=${uat}`); break;
    case 'cookieBoth': cookies.push(`__session=${tokenFor('otherInstance', instance, nowSec).token}`, `__client_uat=1`,
      `__session_${suffix}=${tokenInfo.token}`, `__client_uat_${suffix}=${uat}`); break;
    case 'cookieNoUat': cookies.push(`__session=${tokenInfo.token}`); break;
    case 'uatOnly': cookies.push(`__client_uat=${uat}`); break;
    case 'uatZero': cookies.push(`__session=${tokenInfo.token}`, '__client_uat=0'); break;
    case 'header': headers.authorization = `Bearer ${tokenInfo.token}`; break;
    case 'headerBasic': headers.authorization = 'Basic dXNlcjpwYXNz'; break;
    case 'headerBare': headers.authorization = tokenInfo.token; break;
    case 'headerAndCookie':
      headers.authorization = `Bearer ${tokenInfo.token}`;
      cookies.push(`__session=${tokenFor('expired', instance, nowSec).token}`, `__client_uat=${nowSec - 500}`);
      break;
    case 'machine':
      headers.authorization = `Bearer ${r.pick(['mt_1234567890abcdef', 'oat_1234567890abcdef', 'ak_1234567890abcdef',
        signToken({ sub: 'mch_123', iss: `https://${instance.frontendApi}`, iat: nowSec - 10, exp: nowSec + 60 })])}`;
      break;
    default: break;
  }
  if (instance.dev && r.chance(0.8)) cookies.push('__clerk_db_jwt=dvb_cookie_value');
  if (r.chance(0.12)) cookies.push(`__clerk_redirect_count=${r.pick(['1', '2', '3'])}`);
  if (r.chance(0.2)) cookies.push('theme=dark');
  if (cookies.length > 0) headers.cookie = cookies.join('; ');

  if (feature === 'forwarded') {
    headers['x-forwarded-host'] = r.pick(['proxy.example.net', 'evil.example']);
    headers['x-forwarded-proto'] = 'https';
  }
  if (feature === 'forged') {
    Object.assign(headers, r.pick([
      { 'x-clerk-auth-status': 'signed-in', 'x-clerk-auth-token': tokenFor('valid', instance, nowSec).token },
      { 'x-middleware-subrequest': 'middleware:middleware:middleware' },
      { 'x-clerk-request-data': 'U2FsdGVkX1+forged', 'x-middleware-override-headers': 'cookie' },
    ]));
  }
  if (feature === 'c3') {
    query = `?__clerk_redirect_url=${encodeURIComponent(r.pick(['https://satellite.example.org/after', 'http://localhost:3001/x?y=1']))}`;
  }

  // What the handler does.
  const handlerKind = shape === 'none' || shape === 'options' || shape === 'direct' ? 'none' : r.weighted(HANDLERS);
  /** @type {Record<string, unknown>} */
  const handler = { kind: handlerKind };
  if (handlerKind === 'protect' || handlerKind === 'protectAll') handler.args = r.weighted(PROTECT_ARGS);
  if (handlerKind === 'redirectToSignIn' || handlerKind === 'redirectToSignUp') {
    handler.options = r.pick([undefined, {}, { returnBackUrl: 'https://example.com/back' }, { returnBackUrl: null }, { returnBackUrl: '/relative' }]);
    handler.always = r.chance(0.3);
  }
  if (handlerKind === 'custom') handler.response = r.pick(CUSTOM);
  if (handlerKind === 'protect' && r.chance(0.2)) path = r.pick(['/dashboard', '/api/data', '/admin/users']);

  return {
    id,
    shape,
    instance: instanceName,
    verify,
    feature,
    tokenState: carrier === 'none' || carrier === 'headerBasic' ? null : tokenState,
    carrier,
    multi,
    extraOptions: extra,
    callbackAsync: shape === 'handler+callback' && r.chance(0.5),
    request: { method, url: `${origin}${path}${query}`, headers },
    handler,
  };
}

/**
 * The options object the scenario's middleware is built with (a fresh object per call).
 * @param {ReturnType<typeof generateScenario>} scenario
 * @param {string} spkiPem
 */
export function optionsOf(scenario, spkiPem) {
  if (scenario.shape === 'none' || scenario.shape === 'handler' || scenario.shape === 'direct') return undefined;
  /** @type {Record<string, unknown>} */
  const options = {};
  if (scenario.instance !== 'env') {
    options.publishableKey = INSTANCES[scenario.instance].publishableKey;
    options.secretKey = INSTANCES[scenario.instance].secretKey;
  }
  if (scenario.verify === 'jwtKey') options.jwtKey = spkiPem;
  Object.assign(options, structuredClone(scenario.extraOptions));
  // Function-valued options, as Clerk documents them: `(url) => value` of the request URL.
  const functions = {
    'fn:isSatellite': (url) => url.host.startsWith('satellite.') || url.port === '3001',
    'fn:domain': (url) => url.host,
    'fn:proxyUrl': (url) => `${url.origin}/__clerk`,
  };
  for (const [name, value] of Object.entries(options)) {
    if (typeof value === 'string' && value in functions) options[name] = functions[value];
  }
  return options;
}
