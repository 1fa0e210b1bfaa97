// Generates tests/data/decide-vectors.json. Expected URLs are built with Node's WHATWG URL
// (the reference semantics), never with the Rust code under test.
import { createSign, createHash, createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const keys = JSON.parse(readFileSync(`${ROOT}/tests/data/token-vectors.json`, 'utf8')).keys.rsa2048;
const NOW = 1767225600000;
const S = NOW / 1000;
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const tokens = {};
function tok(name, payload, header = {}) {
  const h = { alg: 'RS256', kid: keys.jwk.kid, typ: 'JWT', ...header };
  const input = `${b64(h)}.${b64(payload)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(keys.pkcs8Pem).toString('base64url');
  tokens[name] = { jwt: `${input}.${signature}`, header: h, payload };
}
const T = (name) => `{{tok:${name}}}`;
const claims = (name) => tokens[name].payload;

const PROD_ISS = 'https://clerk.example.com';
const DEV_ISS = 'https://clerk.included.katydid-92.lcl.dev';
const base = (iss, extra = {}) => ({
  azp: 'https://example.com', exp: S + 60, iat: S - 30, iss, nbf: S - 40, sid: 'sess_1', sub: 'user_1', ...extra,
});
tok('valid', base(PROD_ISS));
tok('valid2', base(PROD_ISS, { iat: S - 20, sid: 'sess_2' }));
tok('expired', base(PROD_ISS, { exp: S - 1800, iat: S - 3600, nbf: S - 3610 }));
tok('expiredNoSid', (({ sid, ...rest }) => rest)(base(PROD_ISS, { exp: S - 1800, iat: S - 3600, nbf: S - 3610 })));
tok('nbfFuture', base(PROD_ISS, { nbf: S + 60, exp: S + 120 }));
tok('iatFuture', (({ nbf, ...rest }) => rest)(base(PROD_ISS, { iat: S + 60, exp: S + 120 })));
tok('older', base(PROD_ISS, { iat: S - 600, nbf: S - 610 }));
tok('orgAcme', base(PROD_ISS, { org_id: 'org_1', org_role: 'org:admin', org_slug: 'acme', org_permissions: ['org:docs:read'] }));
tok('pending', base(PROD_ISS, { sts: 'pending' }));
tok('template', base(PROD_ISS), { cat: 'cl_B7d4PD222AAA' });
tok('sessionCat', base(PROD_ISS), { cat: 'cl_B7d4PD111AAA' });
tok('m2mJwt', { exp: S + 60, iat: S - 30, sub: 'mch_1' });
tok('oauthJwt', { exp: S + 60, iat: S - 30, sub: 'user_1', client_id: 'c' }, { typ: 'at+jwt' });
tok('oauthJwtExpired', { exp: S - 600, iat: S - 1200, sub: 'user_1', client_id: 'c' }, { typ: 'at+jwt' });
tok('m2mJwtFull', { exp: S + 60, iat: S - 30, sub: 'mch_1', jti: 'mt_jti_1', aud: ['https://api.example.com'], scopes: 'read write', region: 'eu' }, { cat: 'cl_B7d4PD333AAA' });
tok('m2mJwtExpired', { exp: S - 600, iat: S - 1200, sub: 'mch_1' });
tok('m2mJwtSessionCat', { exp: S + 60, iat: S - 30, sub: 'mch_1' }, { cat: 'cl_B7d4PD111AAA' });
tok('noAzp', (({ azp, ...rest }) => rest)(base(PROD_ISS)));
tok('noIss', (({ iss, ...rest }) => rest)(base(PROD_ISS)));
tok('otherIss', base('https://clerk.other.test'));
tok('satValid', base('https://clerk.satellite.example.com', { azp: 'https://satellite.example.com' }));
tok('refreshed', base(PROD_ISS, { iat: S, nbf: S - 10, exp: S + 60 }));
tok('devValid', base(DEV_ISS, { azp: 'http://localhost:3000' }));
tok('devExpired', base(DEV_ISS, { azp: 'http://localhost:3000', exp: S - 1800, iat: S - 3600, nbf: S - 3610 }));
tok('devSuffixedExpired', base(DEV_ISS, { azp: 'http://localhost:3000', exp: S - 1800, iat: S - 3600, nbf: S - 3610, sid: 'sess_s' }));
tok('handshake', { handshake: ['__session=' + tokens.valid.jwt + '; Path=/; Secure; SameSite=Lax', '__client_uat=' + (S - 5) + '; Path=/'] });
// A bad signature: valid's header and payload with the signature of another token.
tokens.badSig = { jwt: `${tokens.valid.jwt.split('.').slice(0, 2).join('.')}.${tokens.valid2.jwt.split('.')[2]}`, header: tokens.valid.header, payload: tokens.valid.payload, note: 'signature of another token' };

const PK_PROD = 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k';
const PK_DEV = 'pk_test_Y2xlcmsuaW5jbHVkZWQua2F0eWRpZC05Mi5sY2wuZGV2JA';
const suffix = (pk) => createHash('sha1').update(pk).digest('base64url').slice(0, 8);
const SP = suffix(PK_PROD);
const SD = suffix(PK_DEV);
const prod = { publishableKey: PK_PROD, secretKey: 'sk_live_xxx' };
const dev = { publishableKey: PK_DEV, secretKey: 'sk_test_xxx' };
const configs = {
  prod,
  prodSignIn: { ...prod, signInUrl: '/sign-in', signUpUrl: '/sign-up' },
  prodAudience: { ...prod, audience: 'https://api.example.com' },
  dev,
  devAllow: { ...dev, allowedRedirectOrigins: ['http://localhost:3001'] },
  prodSatellite: { ...prod, isSatellite: true, domain: 'satellite.example.com', signInUrl: 'https://primary.example.com/sign-in' },
  prodSatelliteAuto: { ...prod, isSatellite: true, domain: 'satellite.example.com', signInUrl: 'https://primary.example.com/sign-in', satelliteAutoSync: true },
  devSatellite: { ...dev, isSatellite: true, domain: 'localhost:3001', signInUrl: 'http://localhost:3000/sign-in' },
  prodOrg: { ...prod, organizationSyncOptions: { organizationPatterns: ['/orgs/:slug', '/orgs/:slug/(.*)', '/org-id/:id'], personalAccountPatterns: ['/me', '/me/(.*)'] } },
  prodProxy: { ...prod, proxyUrl: '/__clerk' },
  prodTrust: { ...prod, trustForwardedHost: true },
  devClerkCom: { publishableKey: PK_DEV, secretKey: 'sk_test_xxx' },
  devClerkComSignIn: { publishableKey: PK_DEV, secretKey: 'sk_test_xxx', signInUrl: '/hello' },
  kima: { publishableKey: 'pk_test_aW5jbHVkZWQua2F0eWRpZC05Mi5jbGVyay5hY2NvdW50cy5kZXYk', secretKey: 'sk_test_xxx' },
  staging: { publishableKey: 'pk_test_aW5jbHVkZWQua2F0eWRpZC05Mi5jbGVyay5hY2NvdW50c3N0YWdlLmRldiQ=', secretKey: 'sk_test_xxx' },
  currentUrl: { ...prod, signInUrl: '/sign-in' },
};

const APP = 'https://example.com';
const DEV_APP = 'http://localhost:3000';
const DOC = { 'sec-fetch-dest': 'document', accept: 'text/html,application/xhtml+xml' };
const FETCH = { 'sec-fetch-dest': 'empty', accept: '*/*' };
const req = (url, headers = {}, method = 'GET') => ({ method, url, headers });
const UAT = String(S - 300);

const hs = (reason, { redirect, session, suffixed = false, devBrowser, fapi = 'https://clerk.example.com', org } = {}) => {
  const u = new URL('v1/client/handshake', fapi.replace(/\/+$/, '') + '/');
  const p = u.searchParams;
  p.append('redirect_url', redirect);
  p.append('__clerk_api_version', '2026-05-12');
  p.append('suffixed_cookies', String(suffixed));
  p.append('__clerk_hs_reason', reason);
  p.append('format', 'nonce');
  if (session) p.append('__session', session);
  if (devBrowser) p.append('__clerk_db_jwt', devBrowser);
  if (org !== undefined) p.append('organization_id', org);
  // Token placeholders stand for base64url JWTs, which form-encoding leaves as they are.
  return u.href.replace(/%7B%7Btok%3A(\w+)%7D%7D/g, '{{tok:$1}}');
};
const counter = (n) => `__clerk_redirect_count=${n}; SameSite=Lax; HttpOnly; Max-Age=2`;
const xo = (status, reason, message) => {
  const o = { 'x-clerk-auth-status': status };
  if (reason) o['x-clerk-auth-reason'] = reason;
  if (message) o['x-clerk-auth-message'] = message;
  return o;
};
const verifyCookie = (name, answerClaims = claims(name)) => ({
  request: { kind: 'verify-session-token', token: T(name), carrier: 'cookie' },
  answer: { kind: 'verified', claims: answerClaims },
});
const verifyHeader = (name) => ({
  request: { kind: 'verify-session-token', token: T(name), carrier: 'header' },
  answer: { kind: 'verified', claims: claims(name) },
});
const refuse = (name, carrier, reason, message) => ({
  request: { kind: 'verify-session-token', token: T(name), carrier },
  answer: { kind: 'refused', reason, message },
});
const EXPIRED_MSG = 'JWT is expired.';
const full = (msg, reason, carrier) => `${msg} (reason=${reason}, token-carrier=${carrier})`;
const cookies = (o) => Object.entries(o).map(([k, v]) => `${k}=${v}`).join('; ');

const cases = [];
const add = (c) => cases.push(c);

// ---------------------------------------------------------------- header path
add({ name: 'header: valid Bearer token is signed in, no debug headers', covers: ['header'], config: 'prod',
  request: req(`${APP}/api`, { authorization: `Bearer ${T('valid')}`, ...FETCH }), host: [verifyHeader('valid')],
  expect: { status: 'signed-in', reason: null, token: T('valid'), location: null, xClerk: {}, setCookie: [], auth: { isAuthenticated: true, userId: 'user_1', sessionId: 'sess_1' } } });
add({ name: 'header: a header token wins; cookies are ignored entirely', covers: ['header', 'precedence'], config: 'prod',
  request: req(`${APP}/`, { authorization: `Bearer ${T('valid')}`, cookie: cookies({ __session: 'garbage', __client_uat: '0' }), ...DOC }), host: [verifyHeader('valid')],
  expect: { status: 'signed-in', token: T('valid') } });
add({ name: 'header: a bare token (no scheme) is the token', covers: ['header'], config: 'prod',
  request: req(`${APP}/api`, { authorization: T('valid') }), host: [verifyHeader('valid')], expect: { status: 'signed-in' } });
add({ name: 'header: Basic auth is ignored (cookie path: no cookies)', covers: ['header', 'C6'], config: 'prod',
  request: req(`${APP}/api`, { authorization: 'Basic dXNlcjpwYXNz', ...FETCH }),
  expect: { status: 'signed-out', reason: 'session-token-and-uat-missing', message: '', xClerk: xo('signed-out', 'session-token-and-uat-missing') } });
add({ name: 'header: lowercase bearer is ignored', covers: ['header'], config: 'prod',
  request: req(`${APP}/api`, { authorization: `bearer ${T('valid')}` }), expect: { status: 'signed-out', reason: 'session-token-and-uat-missing' } });
add({ name: 'header: expired token on a document GET: handshake carrying the header token', covers: ['header', 'handshake', 'session-token-expired-refresh-non-eligible-no-refresh-cookie'], config: 'prod',
  request: req(`${APP}/hello?foo=bar`, { authorization: `Bearer ${T('expired')}`, ...DOC }), host: [refuse('expired', 'header', 'token-expired', EXPIRED_MSG)],
  expect: { status: 'handshake', reason: 'session-token-expired-refresh-non-eligible-no-refresh-cookie', message: full(EXPIRED_MSG, 'token-expired', 'header'),
    location: hs('session-token-expired-refresh-non-eligible-no-refresh-cookie', { redirect: `${APP}/hello?foo=bar`, session: T('expired') }),
    setCookie: [counter(1)], headers: [['location', hs('session-token-expired-refresh-non-eligible-no-refresh-cookie', { redirect: `${APP}/hello?foo=bar`, session: T('expired') })], ['cache-control', 'no-store'], ['set-cookie', counter(1)], ['x-clerk-auth-message', full(EXPIRED_MSG, 'token-expired', 'header')], ['x-clerk-auth-reason', 'session-token-expired-refresh-non-eligible-no-refresh-cookie'], ['x-clerk-auth-status', 'handshake']] } });
add({ name: 'header: expired token on a fetch: signed out with the same reason', covers: ['header', 'eligibility'], config: 'prod',
  request: req(`${APP}/api`, { authorization: `Bearer ${T('expired')}`, ...FETCH }), host: [refuse('expired', 'header', 'token-expired', EXPIRED_MSG)],
  expect: { status: 'signed-out', reason: 'session-token-expired-refresh-non-eligible-no-refresh-cookie', location: null, setCookie: [],
    xClerk: xo('signed-out', 'session-token-expired-refresh-non-eligible-no-refresh-cookie', full(EXPIRED_MSG, 'token-expired', 'header')) } });
add({ name: 'header: expired token on a POST: non-eligible-non-get, never a handshake', covers: ['header', 'session-token-expired-refresh-non-eligible-non-get'], config: 'prod',
  request: req(`${APP}/form`, { authorization: `Bearer ${T('expired')}`, ...DOC }, 'POST'), host: [refuse('expired', 'header', 'token-expired', EXPIRED_MSG)],
  expect: { status: 'signed-out', reason: 'session-token-expired-refresh-non-eligible-non-get', location: null } });
add({ name: 'header: nbf in the future on a document GET: handshake session-token-nbf', covers: ['header', 'session-token-nbf'], config: 'prod',
  request: req(`${APP}/`, { authorization: `Bearer ${T('nbfFuture')}`, ...DOC }), host: [refuse('nbfFuture', 'header', 'token-not-active-yet', 'JWT cannot be used prior to not before date claim (nbf).')],
  expect: { status: 'handshake', reason: 'session-token-nbf', location: hs('session-token-nbf', { redirect: `${APP}/`, session: T('nbfFuture') }) } });
add({ name: 'header: iat in the future on a fetch: signed out', covers: ['header', 'session-token-iat-in-the-future'], config: 'prod',
  request: req(`${APP}/api`, { authorization: `Bearer ${T('iatFuture')}` }), host: [refuse('iatFuture', 'header', 'token-iat-in-the-future', 'JWT issued at date claim (iat) is in the future.')],
  expect: { status: 'signed-out', reason: 'session-token-iat-in-the-future' } });
add({ name: 'header: bad signature: signed out with the verifier reason and full message', covers: ['header', 'token-invalid-signature'], config: 'prod',
  request: req(`${APP}/`, { authorization: `Bearer ${T('badSig')}`, ...DOC }), host: [refuse('badSig', 'header', 'token-invalid-signature', 'JWT signature is invalid.')],
  expect: { status: 'signed-out', reason: 'token-invalid-signature', message: 'JWT signature is invalid. (reason=token-invalid-signature, token-carrier=header)', location: null } });
add({ name: 'header: unknown kid', covers: ['header', 'jwk-kid-mismatch'], config: 'prod',
  request: req(`${APP}/api`, { authorization: `Bearer ${T('valid')}` }), host: [refuse('valid', 'header', 'jwk-kid-mismatch', 'No key with this kid.')],
  expect: { status: 'signed-out', reason: 'jwk-kid-mismatch' }, clerkDiffers: 'answer is scripted' });
add({ name: 'header: verifier failure that is not a token error: unexpected-error', covers: ['header', 'unexpected-error'], config: 'prod',
  request: req(`${APP}/api`, { authorization: `Bearer ${T('valid')}` }),
  host: [{ request: { kind: 'verify-session-token', carrier: 'header' }, answer: { kind: 'verify-failed', message: 'fetch failed' } }],
  expect: { status: 'signed-out', reason: 'unexpected-error', message: '', xClerk: xo('signed-out', 'unexpected-error') }, clerkDiffers: 'answer is scripted' });
add({ name: 'header: JWT-template category in Authorization: token-type-mismatch on every path', covers: ['header', 'cat', 'token-type-mismatch'], config: 'prod',
  request: req(`${APP}/api`, { authorization: `Bearer ${T('template')}` }),
  expect: { status: 'signed-out', reason: 'token-type-mismatch', message: '', tokenType: 'session_token' } });
add({ name: 'header: session category is accepted', covers: ['header', 'cat'], config: 'prod',
  request: req(`${APP}/api`, { authorization: `Bearer ${T('sessionCat')}` }), host: [verifyHeader('sessionCat')], expect: { status: 'signed-in' } });
// ---------------------------------------------------------------- machine tokens in Authorization (§3.12)
// Opaque tokens: one Backend API `verify` call (unversioned paths, as Clerk calls them); JWTs: the
// host's verifier. Errors: Clerk's MachineTokenVerificationError codes and full messages.
const MACHINE_MS = NOW - 60_000;
const OPAQUE = [
  { token: 'mt_1234', type: 'm2m_token', path: '/m2m_tokens/verify', body: { token: 'mt_1234' }, notFound: 'Machine token not found',
    data: { object: 'machine_to_machine_token', id: 'mt_id_1', subject: 'mch_1', scopes: ['mch_2'], claims: { region: 'eu' }, revoked: false,
      revocation_reason: null, expired: false, expiration: NOW + 3_600_000, created_at: MACHINE_MS, updated_at: MACHINE_MS },
    auth: { isAuthenticated: true, tokenType: 'm2m_token', id: 'mt_id_1', subject: 'mch_1', machineId: 'mch_1', scopes: ['mch_2'], claims: { region: 'eu' } } },
  { token: 'oat_1234', type: 'oauth_token', path: '/oauth_applications/access_tokens/verify', body: { access_token: 'oat_1234' }, notFound: 'OAuth token not found',
    data: { object: 'clerk_idp_oauth_access_token', id: 'oat_id_1', client_id: 'client_1', type: 'oauth_token', subject: 'user_1', scopes: ['profile', 'email'],
      revoked: false, revocation_reason: null, expired: false, expiration: NOW + 3_600_000, created_at: MACHINE_MS, updated_at: MACHINE_MS },
    auth: { isAuthenticated: true, tokenType: 'oauth_token', id: 'oat_id_1', subject: 'user_1', userId: 'user_1', clientId: 'client_1', scopes: ['profile', 'email'] } },
  { token: 'ak_1234', type: 'api_key', path: '/api_keys/verify', body: { secret: 'ak_1234' }, notFound: 'API key not found',
    data: { object: 'api_key', id: 'ak_id_1', type: 'api_key', name: 'CI', subject: 'org_1', scopes: ['read'], claims: null, revoked: false, revocation_reason: null,
      expired: false, expiration: null, created_by: 'user_1', description: null, last_used_at: null, created_at: MACHINE_MS, updated_at: MACHINE_MS },
    auth: { isAuthenticated: true, tokenType: 'api_key', id: 'ak_id_1', subject: 'org_1', name: 'CI', scopes: ['read'], claims: null, userId: null, orgId: 'org_1' } },
];
const machineOut = (type, reason, message) => ({ status: 'signed-out', reason, message, tokenType: type, token: null,
  xClerk: xo('signed-out', reason, message), auth: { isAuthenticated: false, tokenType: type } });
for (const m of OPAQUE) {
  const request = { kind: 'verify-machine-token', token: m.token, tokenType: m.type, via: 'backend-api',
    call: { method: 'POST', path: m.path, query: [], body: m.body } };
  const name = (what) => `machine: ${m.token.slice(0, m.token.indexOf('_') + 1)}… ${what}`;
  add({ name: name('verified by the Backend API: signed in'), covers: ['header', 'machine', 'machine-verified'], config: 'prod',
    request: req(`${APP}/api`, { authorization: `Bearer ${m.token}` }), host: [{ request, answer: { kind: 'verified', claims: m.data } }],
    expect: { status: 'signed-in', reason: null, message: null, token: m.token, tokenType: m.type, xClerk: {}, auth: m.auth } });
  const failures = [
    ['404: token-invalid', { kind: 'api-error', status: 404, code: 'resource_not_found', message: 'not found' }, 'token-invalid', `${m.notFound} (code=token-invalid, status=404)`],
    ['401: secret-key-invalid with the API message', { kind: 'api-error', status: 401, code: 'authentication_invalid', message: 'The provided secret key is invalid.' },
      'secret-key-invalid', 'The provided secret key is invalid. (code=secret-key-invalid, status=401)'],
    ['500: unexpected-error', { kind: 'api-error', status: 500, code: 'internal_clerk_error', message: 'boom' }, 'unexpected-error', 'Unexpected error (code=unexpected-error, status=500)'],
    ['network failure: unexpected-error', { kind: 'network-error', message: 'fetch failed' }, 'unexpected-error', 'Unexpected error (code=unexpected-error, status=n/a)'],
  ];
  for (const [what, answer, reason, message] of failures) {
    add({ name: name(what), covers: ['header', 'machine', reason], config: 'prod',
      request: req(`${APP}/api`, { authorization: `Bearer ${m.token}` }), host: [{ request, answer }], expect: machineOut(m.type, reason, message) });
  }
}
add({ name: 'machine: 401 without an API message: "Invalid secret key"', covers: ['header', 'machine', 'secret-key-invalid'], config: 'prod',
  request: req(`${APP}/api`, { authorization: 'Bearer ak_1234' }),
  host: [{ request: { kind: 'verify-machine-token', via: 'backend-api' }, answer: { kind: 'api-error', status: 401, code: null } }],
  expect: machineOut('api_key', 'secret-key-invalid', 'Invalid secret key (code=secret-key-invalid, status=401)') });
add({ name: 'machine: oat_… verified by the Backend API, but not for the configured audience: token-verification-failed', covers: ['header', 'machine', 'token-verification-failed', 'audience'],
  config: 'prodAudience', request: req(`${APP}/api`, { authorization: 'Bearer oat_1234' }),
  host: [{ request: { kind: 'verify-machine-token', token: 'oat_1234', via: 'backend-api' },
    answer: { kind: 'refused', reason: 'token-verification-failed', message: 'OAuth audience mismatch. Verification expected audience ["https://api.example.com"], but incoming token has aud ["https://other.example.com"].' },
    bapiResponse: { status: 200, body: { ...OPAQUE[1].data, aud: ['https://other.example.com'] } } }],
  expect: machineOut('oauth_token', 'token-verification-failed',
    'OAuth audience mismatch. Verification expected audience ["https://api.example.com"], but incoming token has aud ["https://other.example.com"]. (code=token-verification-failed, status=n/a)') });
const jwtAsk = (name, type) => ({ kind: 'verify-machine-token', token: T(name), tokenType: type, via: 'jwt', call: null });
add({ name: 'machine: M2M JWT verified: signed in with M2MToken.fromJwtPayload', covers: ['header', 'machine', 'machine-verified'], config: 'prod',
  request: req(`${APP}/api`, { authorization: `Bearer ${T('m2mJwtFull')}` }),
  host: [{ request: jwtAsk('m2mJwtFull', 'm2m_token'), answer: { kind: 'verified', claims: claims('m2mJwtFull') } }],
  expect: { status: 'signed-in', reason: null, token: T('m2mJwtFull'), tokenType: 'm2m_token', xClerk: {},
    auth: { isAuthenticated: true, tokenType: 'm2m_token', id: 'mt_jti_1', subject: 'mch_1', machineId: 'mch_1', scopes: ['read', 'write'],
      claims: { aud: ['https://api.example.com'], scopes: 'read write', region: 'eu' } } } });
add({ name: 'machine: minimal M2M JWT verified: empty id, no scopes, null claims', covers: ['header', 'machine', 'machine-verified'], config: 'prod',
  request: req(`${APP}/api`, { authorization: `Bearer ${T('m2mJwt')}` }),
  host: [{ request: jwtAsk('m2mJwt', 'm2m_token'), answer: { kind: 'verified', claims: claims('m2mJwt') } }],
  expect: { status: 'signed-in', tokenType: 'm2m_token', auth: { isAuthenticated: true, tokenType: 'm2m_token', id: '', machineId: 'mch_1', scopes: [], claims: null } } });
add({ name: 'machine: OAuth JWT verified: signed in with IdPOAuthAccessToken.fromJwtPayload', covers: ['header', 'machine', 'machine-verified'], config: 'prod',
  request: req(`${APP}/api`, { authorization: `Bearer ${T('oauthJwt')}` }),
  host: [{ request: jwtAsk('oauthJwt', 'oauth_token'), answer: { kind: 'verified', claims: claims('oauthJwt') } }],
  expect: { status: 'signed-in', token: T('oauthJwt'), tokenType: 'oauth_token', xClerk: {},
    auth: { isAuthenticated: true, tokenType: 'oauth_token', id: '', subject: 'user_1', userId: 'user_1', clientId: 'c', scopes: [] } } });
add({ name: 'machine: expired M2M JWT: token-verification-failed', covers: ['header', 'machine', 'token-verification-failed'], config: 'prod',
  request: req(`${APP}/api`, { authorization: `Bearer ${T('m2mJwtExpired')}` }),
  host: [{ request: jwtAsk('m2mJwtExpired', 'm2m_token'), answer: { kind: 'refused', reason: 'token-expired', message: 'JWT is expired.' } }],
  expect: machineOut('m2m_token', 'token-verification-failed', 'JWT is expired. (code=token-verification-failed, status=n/a)') });
add({ name: 'machine: OAuth JWT the verifier refuses: token-verification-failed', covers: ['header', 'machine', 'token-verification-failed'], config: 'prod',
  request: req(`${APP}/api`, { authorization: `Bearer ${T('oauthJwtExpired')}` }),
  host: [{ request: jwtAsk('oauthJwtExpired', 'oauth_token'), answer: { kind: 'refused', reason: 'token-expired', message: 'JWT is expired.' } }],
  expect: machineOut('oauth_token', 'token-verification-failed', 'JWT is expired. (code=token-verification-failed, status=n/a)') });
add({ name: 'machine: M2M JWT with a session category: token-invalid, nothing asked', covers: ['header', 'machine', 'token-invalid', 'cat'], config: 'prod',
  request: req(`${APP}/api`, { authorization: `Bearer ${T('m2mJwtSessionCat')}` }),
  expect: machineOut('m2m_token', 'token-invalid', 'Invalid M2M JWT category. (code=token-invalid, status=n/a)') });
add({ name: 'machine: a prefixed token with dots that does not decode: token-invalid', covers: ['header', 'machine', 'token-invalid'], config: 'prod',
  request: req(`${APP}/api`, { authorization: 'Bearer mt_a.b.c' }),
  expect: machineOut('m2m_token', 'token-invalid', 'Invalid JWT form. The header, payload, or signature could not be decoded. (code=token-invalid, status=n/a)') });
add({ name: 'header: expired token with a refresh cookie on a GET is refreshed', covers: ['header', 'refresh'], config: 'prod',
  request: req(`${APP}/page`, { authorization: `Bearer ${T('expired')}`, cookie: cookies({ [`__refresh_${SP}`]: 'rt_1' }), ...DOC }),
  host: [refuse('expired', 'header', 'token-expired', EXPIRED_MSG),
    { request: { kind: 'refresh-session', sessionId: 'sess_1', call: { method: 'POST', path: '/v1/sessions/sess_1/refresh', query: [] } },
      answer: { kind: 'session-cookies', cookies: [`__session=${T('refreshed')}; Path=/`, `__client_uat=${S}; Path=/`] } },
    { request: { kind: 'verify-session-token', token: T('refreshed') }, answer: { kind: 'verified', claims: claims('refreshed') } }],
  expect: { status: 'signed-in', token: T('refreshed'), setCookie: [`__session=${T('refreshed')}; Path=/`, `__client_uat=${S}; Path=/`], xClerk: {} } });

// ---------------------------------------------------------------- C1 handshake resolution
const nonceCall = { method: 'GET', path: '/v1/clients/handshake_payload', query: [['nonce', 'n1']], body: null, headers: [['Clerk-API-Version', '2026-05-12'], ['Content-Type', 'application/json']] };
const directives = [`__session=${T('valid')}; Path=/; Secure; SameSite=Lax`, `__client_uat=${S - 5}; Path=/; Secure`];
const AC = [['access-control-allow-origin', 'null'], ['access-control-allow-credentials', 'true']];
add({ name: 'C1: production nonce: cookies attached, no redirect', covers: ['C1'], config: 'prod',
  request: req(`${APP}/dash`, { cookie: cookies({ __clerk_handshake_nonce: 'n1' }), ...DOC }),
  host: [{ request: { kind: 'get-handshake-payload', nonce: 'n1', call: nonceCall }, answer: { kind: 'handshake-payload', directives } }, verifyCookie('valid')],
  expect: { status: 'signed-in', token: T('valid'), location: null, headers: [...AC, ...directives.map((d) => ['set-cookie', d])] } });
add({ name: 'C1: development nonce in the query: signed in and redirected to the cleaned URL', covers: ['C1'], config: 'dev',
  request: req(`${DEV_APP}/dash?__clerk_handshake_nonce=n1&__clerk_db_jwt=dvb&keep=1#frag`, { ...DOC }),
  host: [{ request: { kind: 'get-handshake-payload', nonce: 'n1' }, answer: { kind: 'handshake-payload', directives } }, verifyCookie('valid')],
  expect: { status: 'signed-in', location: `${DEV_APP}/dash?keep=1#frag`, headers: [...AC, ...directives.map((d) => ['set-cookie', d]), ['location', `${DEV_APP}/dash?keep=1#frag`], ['cache-control', 'no-store']] } });
add({ name: 'C1: a payload without __session: signed out session-token-missing, cookies still set', covers: ['C1', 'session-token-missing'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __clerk_handshake_nonce: 'n1' }), ...DOC }),
  host: [{ request: { kind: 'get-handshake-payload' }, answer: { kind: 'handshake-payload', directives: ['__client_uat=0; Path=/'] } }],
  expect: { status: 'signed-out', reason: 'session-token-missing', headers: [...AC, ['set-cookie', '__client_uat=0; Path=/'], ['x-clerk-auth-reason', 'session-token-missing'], ['x-clerk-auth-status', 'signed-out']] } });
add({ name: 'C1: the nonce lookup fails: logged, no cookies, session-token-missing', covers: ['C1'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __clerk_handshake_nonce: 'n1' }), ...DOC }),
  host: [{ request: { kind: 'get-handshake-payload' }, answer: { kind: 'api-error', status: 404, code: 'resource_not_found' } }],
  expect: { status: 'signed-out', reason: 'session-token-missing', logs: ['error getting handshake payload'] } });
add({ name: 'C1: the handshake token does not verify (production): logged, cookie path continues', covers: ['C1', 'C12'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __clerk_handshake_nonce: 'n1', __session: T('valid'), __client_uat: UAT }), ...DOC }),
  host: [{ request: { kind: 'get-handshake-payload' }, answer: { kind: 'handshake-payload', directives: [`__session=${T('expired')}; Path=/`] } },
    refuse('expired', 'cookie', 'token-expired', EXPIRED_MSG), verifyCookie('valid')],
  expect: { status: 'signed-in', token: T('valid'), setCookie: [], logs: ['unable to resolve handshake'] } });
add({ name: 'C1: development clock skew: retried with a 24 h skew', covers: ['C1'], config: 'dev',
  request: req(`${DEV_APP}/?__clerk_handshake_nonce=n1`, { ...DOC }),
  host: [{ request: { kind: 'get-handshake-payload' }, answer: { kind: 'handshake-payload', directives: [`__session=${T('devExpired')}; Path=/`] } },
    { request: { kind: 'verify-session-token', token: T('devExpired'), clockSkewInMs: null }, answer: { kind: 'refused', reason: 'token-expired', message: EXPIRED_MSG } },
    { request: { kind: 'verify-session-token', token: T('devExpired'), clockSkewInMs: 86400000 }, answer: { kind: 'verified', claims: claims('devExpired') } }],
  expect: { status: 'signed-in', location: `${DEV_APP}/`, logs: ['Clock skew detected'] } });
add({ name: 'C1: legacy handshake token (production)', covers: ['C1'], config: 'prod',
  request: req(`${APP}/?__clerk_handshake=${T('handshake')}`, { ...DOC }),
  host: [{ request: { kind: 'verify-handshake-token', token: T('handshake') }, answer: { kind: 'verified', claims: { handshake: [`__session=${T('valid')}; Path=/; Secure; SameSite=Lax`, `__client_uat=${S - 5}; Path=/`] } } }, verifyCookie('valid')],
  expect: { status: 'signed-in', location: null, setCookie: [`__session=${T('valid')}; Path=/; Secure; SameSite=Lax`, `__client_uat=${S - 5}; Path=/`] }, clerkDiffers: 'the handshake token answer is scripted' });
add({ name: 'C1: legacy handshake token with a bad signature in development: Clerk throws', covers: ['C1', 'error'], config: 'dev',
  request: req(`${DEV_APP}/?__clerk_handshake=${T('handshake')}`, { ...DOC }),
  host: [{ request: { kind: 'verify-handshake-token' }, answer: { kind: 'refused', reason: 'token-invalid-signature', message: 'bad' } }],
  expect: { error: 'handshake-token-invalid' }, clerkDiffers: 'the handshake token answer is scripted' });
add({ name: 'C1: legacy handshake token refused in production: logged, continue (C6)', covers: ['C1', 'C6'], config: 'prod',
  request: req(`${APP}/?__clerk_handshake=${T('handshake')}`, { ...FETCH }),
  host: [{ request: { kind: 'verify-handshake-token' }, answer: { kind: 'refused', reason: 'token-invalid-signature', message: 'bad' } }],
  expect: { status: 'signed-out', reason: 'session-token-and-uat-missing', logs: ['unable to resolve handshake'] }, clerkDiffers: 'the handshake token answer is scripted' });
add({ name: 'C1: a directive with CR/LF is refused; the handshake is abandoned (header injection)', covers: ['C1', 'header-injection'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __clerk_handshake_nonce: 'n1' }), ...FETCH }),
  host: [{ request: { kind: 'get-handshake-payload' }, answer: { kind: 'handshake-payload', directives: ['__session=x\r\nLocation: https://evil.test/'] } }],
  expect: { status: 'signed-out', reason: 'session-token-and-uat-missing', setCookie: [], location: null, logs: ['unable to resolve handshake'] } });

// ---------------------------------------------------------------- C2 satellite
const SAT = 'https://satellite.example.com';
const SAT_FAPI = 'https://clerk.satellite.example.com';
add({ name: 'C2a: production satellite, no cookies, not asked to sync: signed out without a handshake', covers: ['C2a'], config: 'prodSatellite',
  request: req(`${SAT}/dashboard`, { ...DOC }), expect: { status: 'signed-out', reason: 'session-token-and-uat-missing', location: null } });
add({ name: 'C2b: production satellite with __clerk_synced=false: handshake to clerk.<domain>', covers: ['C2b', 'satellite-needs-syncing'], config: 'prodSatellite',
  request: req(`${SAT}/dashboard?__clerk_synced=false`, { ...DOC }),
  expect: { status: 'handshake', reason: 'satellite-needs-syncing', location: hs('satellite-needs-syncing', { redirect: `${SAT}/dashboard?__clerk_synced=false`, fapi: SAT_FAPI }), setCookie: [counter(1)] } });
add({ name: 'C2b: satelliteAutoSync: a satellite without cookies handshakes on its own', covers: ['C2b'], config: 'prodSatelliteAuto',
  request: req(`${SAT}/`, { ...DOC }), expect: { status: 'handshake', reason: 'satellite-needs-syncing', location: hs('satellite-needs-syncing', { redirect: `${SAT}/`, fapi: SAT_FAPI }) } });
add({ name: 'C2b: cookies present but __clerk_synced=false: handshake', covers: ['C2b'], config: 'prodSatellite',
  request: req(`${SAT}/?__clerk_synced=false`, { cookie: cookies({ __session: T('satValid'), __client_uat: UAT }), ...DOC }),
  expect: { status: 'handshake', reason: 'satellite-needs-syncing', location: hs('satellite-needs-syncing', { redirect: `${SAT}/?__clerk_synced=false`, fapi: SAT_FAPI, session: T('satValid') }) } });
add({ name: 'suffixed cookies: rule 2 on a production satellite: a primary-issued cookie is another instance', covers: ['suffix', 'suffix-rule-2', 'C2b'], config: 'prodSatellite',
  request: req(`${SAT}/?__clerk_synced=false`, { cookie: cookies({ __session: T('valid'), __client_uat: UAT }), ...DOC }),
  expect: { status: 'handshake', reason: 'satellite-needs-syncing', location: hs('satellite-needs-syncing', { redirect: `${SAT}/?__clerk_synced=false`, fapi: SAT_FAPI, suffixed: true }) } });
add({ name: 'C2: satellite sync only for Sec-Fetch-Dest: document (a fetch falls to C6)', covers: ['C2', 'C6'], config: 'prodSatellite',
  request: req(`${SAT}/api?__clerk_synced=false`, { ...FETCH }), expect: { status: 'signed-out', reason: 'session-token-and-uat-missing' } });
add({ name: 'C2: __clerk_synced=true disables satellite sync', covers: ['C2'], config: 'prodSatelliteAuto',
  request: req(`${SAT}/?__clerk_synced=true`, { ...DOC }), expect: { status: 'signed-out', reason: 'session-token-and-uat-missing', location: null } });
add({ name: 'C2: satellite with cookies proceeds to verification', covers: ['C2', 'C15'], config: 'prodSatellite',
  request: req(`${SAT}/`, { cookie: cookies({ __session: T('satValid'), __client_uat: UAT }), ...DOC }), host: [verifyCookie('satValid')],
  expect: { status: 'signed-in', token: T('satValid') } });
const DEV_SAT = 'http://localhost:3001';
add({ name: 'C2c: development satellite without cookies: signed out', covers: ['C2c'], config: 'devSatellite',
  request: req(`${DEV_SAT}/`, { ...DOC }), expect: { status: 'signed-out', reason: 'session-token-and-uat-missing' } });
add({ name: 'C2d: development satellite asked to sync: redirect to the primary sign-in with __clerk_redirect_url', covers: ['C2d'], config: 'devSatellite',
  request: req(`${DEV_SAT}/page?__clerk_synced=false`, { ...DOC }),
  expect: { status: 'handshake', reason: 'satellite-needs-syncing', location: (() => { const u = new URL('http://localhost:3000/sign-in'); u.searchParams.append('__clerk_redirect_url', `${DEV_SAT}/page?__clerk_synced=false`); return u.href; })(), setCookie: [counter(1)] } });
add({ name: 'C2d: loop guard on satellite sync logs the satellite message', covers: ['C2d', 'loop-guard'], config: 'devSatellite',
  request: req(`${DEV_SAT}/page?__clerk_synced=false`, { cookie: cookies({ __clerk_redirect_count: '3' }), ...DOC }),
  expect: { status: 'signed-out', reason: 'satellite-needs-syncing', location: null, logs: ['Satellite-domain authentication resulted in an infinite redirect loop'] } });
add({ name: 'satellite: signInUrl on the same origin as the request Origin: Clerk throws', covers: ['error'], config: 'prodSatellite',
  request: req(`${SAT}/api`, { origin: 'https://primary.example.com' }, 'POST'), expect: { error: 'satellite-sign-in-url-same-origin' } });

// ---------------------------------------------------------------- C3-C5 development
const DB = 'dvb_123';
add({ name: 'C3: development primary returns the user to an allowed satellite with the dev browser and __clerk_synced=true', covers: ['C3', 'primary-responds-to-syncing'], config: 'devAllow',
  request: req(`${DEV_APP}/sign-in?__clerk_redirect_url=${encodeURIComponent(`${DEV_SAT}/page?__clerk_synced=false`)}`, { cookie: cookies({ __clerk_db_jwt: DB }), ...DOC }),
  expect: { status: 'handshake', reason: 'primary-responds-to-syncing', location: (() => { const u = new URL(`${DEV_SAT}/page?__clerk_synced=false`); u.searchParams.append('__clerk_db_jwt', DB); u.searchParams.set('__clerk_synced', 'true'); return u.href; })(), setCookie: [counter(1)] } });
add({ name: 'C3: __clerk_redirect_url to a foreign origin is ignored (open redirect refused)', covers: ['C3', 'open-redirect', 'C6'], config: 'dev',
  request: req(`${DEV_APP}/sign-in?__clerk_redirect_url=${encodeURIComponent('https://evil.test/steal')}`, { cookie: cookies({ __clerk_db_jwt: DB }), ...DOC }),
  expect: { status: 'signed-out', reason: 'session-token-and-uat-missing', location: null, logs: ['ignoring __clerk_redirect_url'] },
  clerkDiffers: 'Clerk redirects to any __clerk_redirect_url with the dev-browser token' });
add({ name: 'C3: not a navigation: signed out primary-responds-to-syncing', covers: ['C3'], config: 'devAllow',
  request: req(`${DEV_APP}/?__clerk_redirect_url=${encodeURIComponent(`${DEV_SAT}/`)}`, { cookie: cookies({ __clerk_db_jwt: DB }), ...FETCH }),
  expect: { status: 'signed-out', reason: 'primary-responds-to-syncing', location: null } });
add({ name: 'C3: an unparsable __clerk_redirect_url: Clerk throws', covers: ['C3', 'error'], config: 'dev',
  request: req(`${DEV_APP}/?__clerk_redirect_url=not%20a%20url`, { cookie: cookies({ __clerk_db_jwt: DB }), ...DOC }), expect: { error: 'invalid-url' } });
add({ name: 'C4: dev-browser token in the URL: handshake that moves it out of redirect_url', covers: ['C4', 'dev-browser-sync'], config: 'dev',
  request: req(`${DEV_APP}/p?__clerk_db_jwt=${DB}&x=1&__dev_session=old`, { ...DOC }),
  expect: { status: 'handshake', reason: 'dev-browser-sync', location: hs('dev-browser-sync', { redirect: `${DEV_APP}/p?x=1`, fapi: 'https://clerk.included.katydid-92.lcl.dev', devBrowser: DB }) } });
add({ name: 'C5: development without a dev-browser token: handshake dev-browser-missing', covers: ['C5', 'dev-browser-missing'], config: 'dev',
  request: req(`${DEV_APP}/`, { ...DOC }), expect: { status: 'handshake', reason: 'dev-browser-missing', location: hs('dev-browser-missing', { redirect: `${DEV_APP}/`, fapi: 'https://clerk.included.katydid-92.lcl.dev' }) } });
add({ name: 'C5: as an iframe navigation (eligible) on a development satellite', covers: ['C5', 'eligibility'], config: 'devSatellite',
  request: req(`${DEV_SAT}/?__clerk_synced=false`, { 'sec-fetch-dest': 'iframe' }),
  expect: { status: 'handshake', reason: 'dev-browser-missing', location: hs('dev-browser-missing', { redirect: `${DEV_SAT}/?__clerk_synced=false`, fapi: 'https://clerk.included.katydid-92.lcl.dev' }) } });
add({ name: 'C5: fetch: signed out dev-browser-missing', covers: ['C5'], config: 'dev',
  request: req(`${DEV_APP}/api`, { ...FETCH }), expect: { status: 'signed-out', reason: 'dev-browser-missing', location: null } });

// ---------------------------------------------------------------- C6-C11
add({ name: 'C6: no cookies at all', covers: ['C6', 'session-token-and-uat-missing'], config: 'prod',
  request: req(`${APP}/`, { ...DOC }), expect: { status: 'signed-out', reason: 'session-token-and-uat-missing', message: '', location: null, headers: [['x-clerk-auth-reason', 'session-token-and-uat-missing'], ['x-clerk-auth-status', 'signed-out']], auth: { isAuthenticated: false, userId: null, tokenType: 'session_token' } } });
add({ name: 'C6: __client_uat=0 counts as no client', covers: ['C6'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __client_uat: '0' }), ...DOC }), expect: { status: 'signed-out', reason: 'session-token-and-uat-missing' } });
add({ name: 'C7: a session cookie without __client_uat: handshake', covers: ['C7', 'session-token-but-no-client-uat'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __session: T('valid') }), ...DOC }),
  expect: { status: 'handshake', reason: 'session-token-but-no-client-uat', location: hs('session-token-but-no-client-uat', { redirect: `${APP}/`, session: T('valid') }) } });
add({ name: 'C8: __client_uat without a session: handshake', covers: ['C8', 'client-uat-but-no-session-token'], config: 'prod',
  request: req(`${APP}/a/b?q=1`, { cookie: cookies({ __client_uat: UAT }), ...DOC }),
  expect: { status: 'handshake', reason: 'client-uat-but-no-session-token', message: '', location: hs('client-uat-but-no-session-token', { redirect: `${APP}/a/b?q=1` }),
    headers: [['location', hs('client-uat-but-no-session-token', { redirect: `${APP}/a/b?q=1` })], ['cache-control', 'no-store'], ['set-cookie', counter(1)], ['x-clerk-auth-reason', 'client-uat-but-no-session-token'], ['x-clerk-auth-status', 'handshake']] } });
add({ name: 'C8: fetch: signed out', covers: ['C8', 'eligibility'], config: 'prod',
  request: req(`${APP}/api`, { cookie: cookies({ __client_uat: UAT }), ...FETCH }), expect: { status: 'signed-out', reason: 'client-uat-but-no-session-token', location: null, setCookie: [] } });
add({ name: 'eligibility: no Sec-Fetch-Dest and Accept starting with text/html', covers: ['eligibility', 'C8'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __client_uat: UAT }), accept: 'text/html;q=0.9' }), expect: { status: 'handshake', reason: 'client-uat-but-no-session-token' } });
add({ name: 'eligibility: Accept merely containing text/html is not enough', covers: ['eligibility', 'C8'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __client_uat: UAT }), accept: 'application/json, text/html' }), expect: { status: 'signed-out', reason: 'client-uat-but-no-session-token' } });
add({ name: 'eligibility: a POST document navigation never handshakes', covers: ['eligibility', 'C8'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __client_uat: UAT }), ...DOC }, 'POST'), expect: { status: 'signed-out', reason: 'client-uat-but-no-session-token' } });
add({ name: 'eligibility: a lowercase get is a GET', covers: ['eligibility', 'C8'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __client_uat: UAT }), ...DOC }, 'get'), expect: { status: 'handshake', reason: 'client-uat-but-no-session-token' } });
add({ name: 'C9: a session cookie that is not a JWT', covers: ['C9', 'token-invalid'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __session: 'garbage', __client_uat: UAT }), ...DOC }),
  expect: { status: 'signed-out', reason: 'token-invalid', message: 'Invalid JWT form. A JWT consists of three parts separated by dots. (reason=token-invalid, token-carrier=cookie)' } });
add({ name: 'C9: three parts that do not decode', covers: ['C9'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __session: 'a.b.c', __client_uat: UAT }), ...DOC }),
  expect: { status: 'signed-out', reason: 'token-invalid', message: 'Invalid JWT form. The header, payload, or signature could not be decoded. (reason=token-invalid, token-carrier=cookie)' } });
add({ name: 'C10: a JWT-template token in the cookie', covers: ['C10', 'cat', 'token-type-mismatch'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __session: T('template'), __client_uat: UAT }), ...DOC }),
  expect: { status: 'signed-out', reason: 'token-type-mismatch', message: '', xClerk: xo('signed-out', 'token-type-mismatch') } });
add({ name: 'C10: an M2M JWT in the cookie', covers: ['C10', 'machine'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __session: T('m2mJwt'), __client_uat: UAT }), ...DOC }), expect: { status: 'signed-out', reason: 'token-type-mismatch' } });
add({ name: 'C10: an OAuth JWT in the cookie', covers: ['C10', 'machine'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __session: T('oauthJwt'), __client_uat: UAT }), ...DOC }), expect: { status: 'signed-out', reason: 'token-type-mismatch' } });
add({ name: 'C11: session issued before __client_uat: handshake', covers: ['C11', 'session-token-iat-before-client-uat'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __session: T('older'), __client_uat: UAT }), ...DOC }),
  expect: { status: 'handshake', reason: 'session-token-iat-before-client-uat', location: hs('session-token-iat-before-client-uat', { redirect: `${APP}/`, session: T('older') }) } });

// ---------------------------------------------------------------- C12 verification and refresh
const C = (extra = {}) => cookies({ __session: T('valid'), __client_uat: UAT, ...extra });
add({ name: 'C12/C15: a valid cookie session is signed in', covers: ['C12', 'C15'], config: 'prod',
  request: req(`${APP}/`, { cookie: C(), ...DOC }), host: [verifyCookie('valid')],
  expect: { status: 'signed-in', reason: null, message: null, token: T('valid'), headers: [], auth: { isAuthenticated: true, userId: 'user_1' } } });
add({ name: 'C12: expired, no refresh cookie: handshake (integration vector)', covers: ['C12', 'session-token-expired-refresh-non-eligible-no-refresh-cookie'], config: 'prod',
  request: req(`${APP}/hello?foo=bar`, { cookie: cookies({ __session: T('expired'), __client_uat: String(S - 3700) }), ...DOC }),
  host: [refuse('expired', 'cookie', 'token-expired', EXPIRED_MSG)],
  expect: { status: 'handshake', reason: 'session-token-expired-refresh-non-eligible-no-refresh-cookie', message: full(EXPIRED_MSG, 'token-expired', 'cookie'),
    location: hs('session-token-expired-refresh-non-eligible-no-refresh-cookie', { redirect: `${APP}/hello?foo=bar`, session: T('expired') }) } });
const refreshBody = (expired, extraHeaders) => ({
  expired_token: T(expired), format: 'cookie', refresh_token: 'rt_1', request_headers: extraHeaders, request_origin: APP,
});
const EXP_COOKIE = cookies({ __session: T('expired'), __client_uat: String(S - 3700), [`__refresh_${SP}`]: 'rt_1' });
add({ name: 'C12: expired with a refresh cookie: Backend API refresh, new cookies set', covers: ['C12', 'refresh'], config: 'prod',
  request: req(`${APP}/p`, { cookie: EXP_COOKIE, ...DOC }),
  host: [refuse('expired', 'cookie', 'token-expired', EXPIRED_MSG),
    { request: { kind: 'refresh-session', sessionId: 'sess_1', call: { method: 'POST', path: '/v1/sessions/sess_1/refresh', query: [], body: refreshBody('expired', { accept: ['text/html,application/xhtml+xml'], cookie: [EXP_COOKIE], 'sec-fetch-dest': ['document'] }), headers: [['Clerk-API-Version', '2026-05-12'], ['Content-Type', 'application/json']] } },
      answer: { kind: 'session-cookies', cookies: [`__session=${T('refreshed')}; Path=/`] } },
    { request: { kind: 'verify-session-token', token: T('refreshed'), carrier: 'cookie' }, answer: { kind: 'verified', claims: claims('refreshed') } }],
  expect: { status: 'signed-in', token: T('refreshed'), headers: [['set-cookie', `__session=${T('refreshed')}; Path=/`]] } });
const refreshFail = (name, answer, reason) => add({ name, covers: ['C12', 'refresh', reason], config: 'prod',
  request: req(`${APP}/p`, { cookie: EXP_COOKIE, ...DOC }),
  host: [refuse('expired', 'cookie', 'token-expired', EXPIRED_MSG), { request: { kind: 'refresh-session' }, answer }],
  expect: { status: 'handshake', reason, location: hs(reason, { redirect: `${APP}/p`, session: T('expired') }) } });
refreshFail('C12: refresh did not complete: fetch-error', { kind: 'network-error', message: 'ECONNRESET' }, 'session-token-expired-refresh-fetch-error');
refreshFail("C12: refresh error code unexpected_error means fetch-error", { kind: 'api-error', status: null, code: 'unexpected_error' }, 'session-token-expired-refresh-fetch-error');
refreshFail('C12: refresh answered a Backend API error code', { kind: 'api-error', status: 400, code: 'invalid_refresh_token' }, 'session-token-expired-refresh-invalid_refresh_token');
refreshFail('C12: refresh failed without an error code', { kind: 'api-error', status: 502, code: null }, 'session-token-expired-refresh-unexpected-bapi-error');
refreshFail('C12: refresh answered no cookies', { kind: 'session-cookies', cookies: [] }, 'session-token-expired-refresh-unexpected-sdk-error');
refreshFail('C12: refresh impossible: the host has no API client', { kind: 'unavailable' }, 'session-token-expired-refresh-missing-api-client');
refreshFail('C12: refresh cookies without __session cannot verify', { kind: 'session-cookies', cookies: ['__client_uat=1; Path=/'] }, 'session-token-expired-refresh-invalid-session-token');
add({ name: 'C12: the refreshed token does not verify: invalid-session-token', covers: ['C12', 'refresh', 'session-token-expired-refresh-invalid-session-token'], config: 'prod',
  request: req(`${APP}/p`, { cookie: EXP_COOKIE, ...FETCH }),
  host: [refuse('expired', 'cookie', 'token-expired', EXPIRED_MSG), { request: { kind: 'refresh-session' }, answer: { kind: 'session-cookies', cookies: [`__session=${T('badSig')}`] } },
    refuse('badSig', 'cookie', 'token-invalid-signature', 'JWT signature is invalid.')],
  expect: { status: 'signed-out', reason: 'session-token-expired-refresh-invalid-session-token', message: full(EXPIRED_MSG, 'token-expired', 'cookie') } });
add({ name: 'C12: refresh cookies with CR/LF are refused (header injection)', covers: ['C12', 'refresh', 'header-injection'], config: 'prod',
  request: req(`${APP}/p`, { cookie: EXP_COOKIE, ...DOC }),
  host: [refuse('expired', 'cookie', 'token-expired', EXPIRED_MSG), { request: { kind: 'refresh-session' }, answer: { kind: 'session-cookies', cookies: ['__session=x; Path=/\r\nLocation: https://evil.test/'] } }],
  expect: { error: 'header-injection' } });
add({ name: 'header: expired header token, undecodable __session cookie: the refresh reads the cookie', covers: ['header', 'refresh', 'session-token-expired-refresh-expired-session-token-decode-failed'], config: 'prod',
  request: req(`${APP}/p`, { authorization: `Bearer ${T('expired')}`, cookie: cookies({ __session: 'garbage', [`__refresh_${SP}`]: 'rt_1' }), ...DOC }),
  host: [refuse('expired', 'header', 'token-expired', EXPIRED_MSG)],
  expect: { status: 'handshake', reason: 'session-token-expired-refresh-expired-session-token-decode-failed', location: hs('session-token-expired-refresh-expired-session-token-decode-failed', { redirect: `${APP}/p`, session: 'garbage' }) } });
add({ name: 'C12: expired token without sid: refresh not attempted', covers: ['C12', 'refresh', 'session-token-expired-refresh-expired-session-token-missing-sid-claim'], config: 'prod',
  request: req(`${APP}/p`, { cookie: cookies({ __session: T('expiredNoSid'), __client_uat: String(S - 3700), [`__refresh_${SP}`]: 'rt_1' }), ...DOC }),
  host: [refuse('expiredNoSid', 'cookie', 'token-expired', EXPIRED_MSG)],
  expect: { status: 'handshake', reason: 'session-token-expired-refresh-expired-session-token-missing-sid-claim' } });
add({ name: 'C12: refresh only on GET: a POST is non-eligible-non-get', covers: ['C12', 'refresh'], config: 'prod',
  request: req(`${APP}/p`, { cookie: EXP_COOKIE, ...DOC }, 'POST'), host: [refuse('expired', 'cookie', 'token-expired', EXPIRED_MSG)],
  expect: { status: 'signed-out', reason: 'session-token-expired-refresh-non-eligible-non-get' } });
add({ name: 'C12: nbf in the future: handshake session-token-nbf', covers: ['C12', 'session-token-nbf'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __session: T('nbfFuture'), __client_uat: UAT }), ...DOC }), host: [refuse('nbfFuture', 'cookie', 'token-not-active-yet', 'not yet')],
  expect: { status: 'handshake', reason: 'session-token-nbf', message: 'not yet (reason=token-not-active-yet, token-carrier=cookie)' } });
add({ name: 'C12: iat in the future', covers: ['C12', 'session-token-iat-in-the-future'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __session: T('iatFuture'), __client_uat: UAT }), ...DOC }), host: [refuse('iatFuture', 'cookie', 'token-iat-in-the-future', 'future')],
  expect: { status: 'handshake', reason: 'session-token-iat-in-the-future' } });
add({ name: 'C12: bad signature: signed out, no handshake', covers: ['C12', 'token-invalid-signature'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __session: T('badSig'), __client_uat: UAT }), ...DOC }), host: [refuse('badSig', 'cookie', 'token-invalid-signature', 'JWT signature is invalid.')],
  expect: { status: 'signed-out', reason: 'token-invalid-signature', location: null } });
add({ name: 'C12: authorized parties', covers: ['C12', 'token-invalid-authorized-parties'], config: 'prod',
  request: req(`${APP}/`, { cookie: C(), ...DOC }), host: [refuse('valid', 'cookie', 'token-invalid-authorized-parties', 'Invalid JWT Authorized party claim (azp).')],
  expect: { status: 'signed-out', reason: 'token-invalid-authorized-parties' }, clerkDiffers: 'answer is scripted' });
add({ name: 'C12: an unusual reason code from the host is not echoed into headers', covers: ['C12', 'header-injection'], config: 'prod',
  request: req(`${APP}/`, { cookie: C(), ...DOC }), host: [refuse('valid', 'cookie', 'bad\r\nreason', 'x')],
  expect: { status: 'signed-out', reason: 'unexpected-error' }, clerkDiffers: 'answer is scripted' });

// ---------------------------------------------------------------- C13
const CROSS = { ...DOC };
add({ name: 'C13: the primary reached from a satellite with a session: cross-origin sync', covers: ['C13', 'primary-domain-cross-origin-sync'], config: 'prod',
  request: req(`${APP}/dash`, { cookie: C(), referer: 'https://satellite.example.com/page', ...CROSS }), host: [verifyCookie('valid')],
  expect: { status: 'handshake', reason: 'primary-domain-cross-origin-sync', message: 'Cross-origin request from satellite domain requires handshake',
    location: hs('primary-domain-cross-origin-sync', { redirect: `${APP}/dash`, session: T('valid') }),
    xClerk: xo('handshake', 'primary-domain-cross-origin-sync', 'Cross-origin request from satellite domain requires handshake') } });
add({ name: 'C13: only when the redirect counter is 0', covers: ['C13', 'loop-guard'], config: 'prod',
  request: req(`${APP}/dash`, { cookie: C({ __clerk_redirect_count: '1' }), referer: 'https://satellite.example.com/page', ...CROSS }), host: [verifyCookie('valid')], expect: { status: 'signed-in' } });
for (const [label, referer] of [['the Account Portal', 'https://accounts.example.com/sign-in'], ['the Frontend API', 'https://clerk.example.com/v1/client'], ['the same origin', `${APP}/other`], ['an unparsable referer', 'not a url']]) {
  add({ name: `C13: a referer from ${label} is not a cross-origin sync`, covers: ['C13'], config: 'prod',
    request: req(`${APP}/dash`, { cookie: C(), referer, ...CROSS }), host: [verifyCookie('valid')], expect: { status: 'signed-in' } });
}
add({ name: 'C13: POST navigations are not synced', covers: ['C13'], config: 'prod',
  request: req(`${APP}/dash`, { cookie: C(), referer: 'https://satellite.example.com/', ...CROSS }, 'POST'), host: [verifyCookie('valid')], expect: { status: 'signed-in' } });
add({ name: 'C13: development portal referers are known Clerk origins', covers: ['C13'], config: 'dev',
  request: req(`${DEV_APP}/dash`, { cookie: cookies({ __session: T('devValid'), __client_uat: UAT, __clerk_db_jwt: DB }), referer: 'https://foo-bar-13.accounts.dev/sign-in', ...CROSS }),
  host: [verifyCookie('devValid')], expect: { status: 'signed-in' } });

// ---------------------------------------------------------------- C14 org sync
const orgCookie = cookies({ __session: T('orgAcme'), __client_uat: UAT });
add({ name: 'C14: URL slug differs from the active organization: handshake with organization_id', covers: ['C14', 'active-organization-mismatch'], config: 'prodOrg',
  request: req(`${APP}/orgs/other/settings`, { cookie: orgCookie, ...DOC }), host: [verifyCookie('orgAcme')],
  expect: { status: 'handshake', reason: 'active-organization-mismatch', location: hs('active-organization-mismatch', { redirect: `${APP}/orgs/other/settings`, session: T('orgAcme'), org: 'other' }) } });
add({ name: 'C14: URL slug matches: signed in', covers: ['C14'], config: 'prodOrg',
  request: req(`${APP}/orgs/acme`, { cookie: orgCookie, ...DOC }), host: [verifyCookie('orgAcme')], expect: { status: 'signed-in' } });
add({ name: 'C14: matching is case-insensitive on the pattern, exact on the slug', covers: ['C14'], config: 'prodOrg',
  request: req(`${APP}/ORGS/Acme`, { cookie: orgCookie, ...DOC }), host: [verifyCookie('orgAcme')],
  expect: { status: 'handshake', location: hs('active-organization-mismatch', { redirect: `${APP}/ORGS/Acme`, session: T('orgAcme'), org: 'Acme' }) } });
add({ name: 'C14: organization by ID', covers: ['C14'], config: 'prodOrg',
  request: req(`${APP}/org-id/org_2`, { cookie: orgCookie, ...DOC }), host: [verifyCookie('orgAcme')],
  expect: { status: 'handshake', location: hs('active-organization-mismatch', { redirect: `${APP}/org-id/org_2`, session: T('orgAcme'), org: 'org_2' }) } });
add({ name: 'C14: a personal-account page while an organization is active', covers: ['C14'], config: 'prodOrg',
  request: req(`${APP}/me`, { cookie: orgCookie, ...DOC }), host: [verifyCookie('orgAcme')],
  expect: { status: 'handshake', location: hs('active-organization-mismatch', { redirect: `${APP}/me`, session: T('orgAcme'), org: '' }) } });
add({ name: 'C14: the raw pathname is matched and the slug is not decoded', covers: ['C14'], config: 'prodOrg',
  request: req(`${APP}/orgs/My%20Org`, { cookie: orgCookie, ...DOC }), host: [verifyCookie('orgAcme')],
  expect: { status: 'handshake', location: hs('active-organization-mismatch', { redirect: `${APP}/orgs/My%20Org`, session: T('orgAcme'), org: 'My%20Org' }) } });
add({ name: 'C14: loop guard (counter >= 3): skip activation, stay signed in, warn', covers: ['C14', 'loop-guard'], config: 'prodOrg',
  request: req(`${APP}/orgs/other`, { cookie: cookies({ __session: T('orgAcme'), __client_uat: UAT, __clerk_redirect_count: '3' }), ...DOC }), host: [verifyCookie('orgAcme')],
  expect: { status: 'signed-in', logs: ['Organization activation handshake loop detected'] } });
add({ name: 'C14: not a navigation: stay signed in', covers: ['C14'], config: 'prodOrg',
  request: req(`${APP}/orgs/other`, { cookie: orgCookie, ...FETCH }), host: [verifyCookie('orgAcme')], expect: { status: 'signed-in', xClerk: {} } });
add({ name: 'C14: a pending session is not activated (toAuth treats it as signed out)', covers: ['C14', 'pending'], config: 'prodOrg',
  request: req(`${APP}/me`, { cookie: cookies({ __session: T('pending'), __client_uat: UAT }), ...DOC }), host: [verifyCookie('pending')],
  expect: { status: 'signed-in', auth: { isAuthenticated: false, sessionStatus: 'pending', userId: null } } });
add({ name: 'C14: organization_id is added to any handshake on a matching URL', covers: ['C14', 'C8'], config: 'prodOrg',
  request: req(`${APP}/orgs/acme`, { cookie: cookies({ __client_uat: UAT }), ...DOC }),
  expect: { status: 'handshake', reason: 'client-uat-but-no-session-token', location: hs('client-uat-but-no-session-token', { redirect: `${APP}/orgs/acme`, org: 'acme' }) } });
add({ name: 'C15: a token without azp is accepted with a warning', covers: ['C15'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __session: T('noAzp'), __client_uat: UAT }), ...DOC }), host: [verifyCookie('noAzp')],
  expect: { status: 'signed-in', logs: ['missing the azp claim'] } });

// ---------------------------------------------------------------- loop guard
const loop = (count, expected) => add({ name: `loop guard: __clerk_redirect_count=${JSON.stringify(count)}`, covers: ['loop-guard', 'C8'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ __client_uat: UAT, __clerk_redirect_count: count }), ...DOC }),
  expect: expected === null
    ? { status: 'signed-out', reason: 'client-uat-but-no-session-token', location: null, setCookie: [], logs: ['infinite redirect loop'] }
    : { status: 'handshake', setCookie: [counter(expected)] } });
loop('0', 1); loop('2', 3); loop('3', null); loop('4', 5); loop('0x2', 3); loop('abc', 1); loop(' 2 ', 3); loop('2.5', 3.5);

// ---------------------------------------------------------------- suffixed cookies
const SF = (n) => `${n}_${SP}`;
const suffixCase = (rule, cookieMap, expectedToken, suffixed) => add({ name: `suffixed cookies: rule ${rule}`, covers: ['suffix', `suffix-rule-${rule}`], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies(cookieMap), ...DOC }),
  host: [verifyCookie(expectedToken)],
  expect: { status: 'signed-in', token: T(expectedToken) }, note: `uses the ${suffixed ? 'suffixed' : 'un-suffixed'} family` });
suffixCase(1, { __session: T('noIss'), __client_uat: UAT, [SF('__session')]: T('valid'), [SF('__client_uat')]: UAT }, 'noIss', false);
suffixCase(2, { __session: T('otherIss'), __client_uat: UAT, [SF('__session')]: T('valid'), [SF('__client_uat')]: UAT }, 'valid', true);
suffixCase(3, { __session: T('valid'), __client_uat: UAT }, 'valid', false);
suffixCase(4, { __session: T('valid'), __client_uat: UAT, [SF('__session')]: T('older'), [SF('__client_uat')]: String(S - 700) }, 'valid', false);
suffixCase(5, { __session: T('valid'), __client_uat: UAT, [SF('__session')]: T('valid2'), [SF('__client_uat')]: '0' }, 'valid', false);
suffixCase(7, { __session: T('valid'), __client_uat: UAT, [SF('__session')]: T('valid2') }, 'valid', false);
suffixCase(8, { __session: T('older'), __client_uat: UAT, [SF('__session')]: T('valid2'), [SF('__client_uat')]: UAT }, 'valid2', true);
add({ name: 'suffixed cookies: rule 6 (development): signed out un-suffixed, suffixed session expired', covers: ['suffix', 'suffix-rule-6'], config: 'dev',
  request: req(`${DEV_APP}/`, { cookie: cookies({ __session: T('devValid'), __client_uat: '0', [`__session_${SD}`]: T('devSuffixedExpired'), [`__client_uat_${SD}`]: UAT, __clerk_db_jwt: DB }), ...DOC }),
  expect: { status: 'handshake', reason: 'session-token-but-no-client-uat', location: hs('session-token-but-no-client-uat', { redirect: `${DEV_APP}/`, fapi: 'https://clerk.included.katydid-92.lcl.dev', session: T('devValid'), devBrowser: DB, suffixed: false }) } });
add({ name: 'suffixed cookies: rule 8 shows as suffixed_cookies=true in the handshake', covers: ['suffix', 'suffix-rule-8', 'C8'], config: 'prod',
  request: req(`${APP}/`, { cookie: cookies({ [SF('__client_uat')]: UAT }), ...DOC }),
  expect: { status: 'handshake', reason: 'client-uat-but-no-session-token', location: hs('client-uat-but-no-session-token', { redirect: `${APP}/`, suffixed: true }) } });

// ---------------------------------------------------------------- URLs, proxies, forwarded headers
add({ name: 'proxyUrl (relative) is the handshake base', covers: ['proxy', 'C8'], config: 'prodProxy',
  request: req(`${APP}/x`, { cookie: cookies({ __client_uat: UAT }), ...DOC }),
  expect: { status: 'handshake', location: hs('client-uat-but-no-session-token', { redirect: `${APP}/x`, fapi: `${APP}/__clerk` }) } });
add({ name: 'X-Forwarded-Host is not trusted by default: the return URL stays on the request origin', covers: ['open-redirect', 'forwarded', 'C8'], config: 'prod',
  request: req(`${APP}/x`, { cookie: cookies({ __client_uat: UAT }), 'x-forwarded-host': 'evil.test', 'x-forwarded-proto': 'https', ...DOC }),
  expect: { status: 'handshake', location: hs('client-uat-but-no-session-token', { redirect: `${APP}/x` }) }, clerkDiffers: 'Clerk builds the return URL from X-Forwarded-Host' });
add({ name: 'trustForwardedHost: true reproduces Clerk (first X-Forwarded-Host value)', covers: ['forwarded', 'C8'], config: 'prodTrust',
  request: req(`http://internal:8080/x?y=1`, { cookie: cookies({ __client_uat: UAT }), 'x-forwarded-host': 'app.example.com, proxy.internal', 'x-forwarded-proto': 'https', ...DOC }),
  expect: { status: 'handshake', location: hs('client-uat-but-no-session-token', { redirect: 'https://app.example.com/x?y=1' }) } });
add({ name: 'redirect_url drops __clerk_db_jwt/__dev_session and re-serialises the query like URLSearchParams', covers: ['handshake-url', 'C8'], config: 'prod',
  request: req(`${APP}/x?a=%20b&flag&__dev_session=1`, { cookie: cookies({ __client_uat: UAT }), ...DOC }),
  expect: { status: 'handshake', location: hs('client-uat-but-no-session-token', { redirect: `${APP}/x?a=+b&flag=` }) } });

// ---------------------------------------------------------------- protect()
const signedOutPage = { config: 'prodSignIn', request: req(`${APP}/private?x=1`, { ...DOC }) };
add({ name: 'protect: signed out page request: 307 to sign-in with redirect_url', covers: ['protect', 'redirect'], ...signedOutPage,
  protect: {}, expect: { outcome: 'redirect', location: `${APP}/sign-in?redirect_url=${encodeURIComponent(`${APP}/private?x=1`)}`, headers: [['location', `${APP}/sign-in?redirect_url=${encodeURIComponent(`${APP}/private?x=1`)}`], ['x-clerk-redirect-to', 'true']] } });
add({ name: 'protect: signed out API request: not-found rewrite', covers: ['protect'], config: 'prod', request: req(`${APP}/api/data?x=1`, { ...FETCH }),
  protect: {}, expect: { outcome: 'not-found', rewrite: `${APP}/clerk_${NOW}`, headers: [['x-clerk-auth-reason', 'protect-rewrite']] } });
add({ name: 'protect: signed out server action: 401', covers: ['protect'], config: 'prod', request: req(`${APP}/page`, { 'next-url': '/page', 'next-action': 'abc', accept: 'text/x-component' }, 'POST'),
  protect: {}, expect: { outcome: 'unauthorized', headers: [] } });
add({ name: 'protect: unauthenticatedUrl', covers: ['protect'], config: 'prod', request: req(`${APP}/api`, { ...FETCH }),
  protect: { unauthenticatedUrl: 'https://example.com/login' }, expect: { outcome: 'redirect', location: 'https://example.com/login' } });
add({ name: 'protect: signed in, no checks: pass', covers: ['protect'], config: 'prod', request: req(`${APP}/`, { cookie: orgCookie, ...DOC }), host: [verifyCookie('orgAcme')],
  protect: {}, expect: { outcome: 'pass' } });
add({ name: 'protect: role held: pass', covers: ['protect'], config: 'prod', request: req(`${APP}/`, { cookie: orgCookie, ...DOC }), host: [verifyCookie('orgAcme')],
  protect: { params: { role: 'org:admin' } }, expect: { outcome: 'pass' } });
add({ name: 'protect: role not held: not-found', covers: ['protect'], config: 'prod', request: req(`${APP}/`, { cookie: orgCookie, ...DOC }), host: [verifyCookie('orgAcme')],
  protect: { params: { role: 'org:billing' } }, expect: { outcome: 'not-found', rewrite: `${APP}/clerk_${NOW}` } });
add({ name: 'protect: extra keys do not excuse a failing check (CVE-2026-42349)', covers: ['protect'], config: 'prod', request: req(`${APP}/`, { cookie: orgCookie, ...DOC }), host: [verifyCookie('orgAcme')],
  protect: { params: { permission: 'org:docs:write', unauthorizedUrl: '/x' } }, expect: { outcome: 'not-found' } });
add({ name: 'protect: unauthorizedUrl', covers: ['protect'], config: 'prod', request: req(`${APP}/`, { cookie: orgCookie, ...DOC }), host: [verifyCookie('orgAcme')],
  protect: { params: { role: 'org:billing' }, unauthorizedUrl: '/no-access' }, expect: { outcome: 'redirect', location: `${APP}/no-access` } });
add({ name: 'protect: predicate false', covers: ['protect'], config: 'prod', request: req(`${APP}/`, { cookie: orgCookie, ...DOC }), host: [verifyCookie('orgAcme')],
  protect: { predicate: false }, expect: { outcome: 'not-found' } });
add({ name: 'protect: pending session goes to <signIn>/tasks', covers: ['protect', 'pending'], config: 'prodSignIn', request: req(`${APP}/p`, { cookie: cookies({ __session: T('pending'), __client_uat: UAT }), ...DOC }), host: [verifyCookie('pending')],
  protect: {}, expect: { outcome: 'redirect', location: `${APP}/sign-in/tasks?redirect_url=${encodeURIComponent(`${APP}/p`)}` } });
const machineHost = (token, answer) => [{ request: { kind: 'verify-machine-token', token, via: 'backend-api' }, answer }];
const NOT_FOUND = { kind: 'api-error', status: 404, code: 'resource_not_found' };
const verifiedMachine = (i) => machineHost(OPAQUE[i].token, { kind: 'verified', claims: OPAQUE[i].data });
const WWW_AUTH = [['www-authenticate', 'Bearer resource_metadata="https://clerk.example.com/.well-known/oauth-protected-resource"']];
add({ name: 'protect: machine token with the default token option on an API route: not-found', covers: ['protect', 'machine'], config: 'prod', request: req(`${APP}/api`, { authorization: 'Bearer mt_1234' }),
  host: verifiedMachine(0), protect: {}, expect: { outcome: 'not-found' } });
add({ name: "protect: token: 'm2m_token' with an unverified machine token: 401", covers: ['protect', 'machine'], config: 'prod', request: req(`${APP}/api`, { authorization: 'Bearer mt_1' }),
  host: machineHost('mt_1', NOT_FOUND), protect: { token: 'm2m_token' }, expect: { outcome: 'unauthorized', headers: [] } });
add({ name: "protect: token: 'm2m_token' with a verified M2M token: pass (no has() check)", covers: ['protect', 'machine'], config: 'prod', request: req(`${APP}/api`, { authorization: 'Bearer mt_1234' }),
  host: verifiedMachine(0), protect: { token: 'm2m_token', params: { role: 'org:admin' } }, expect: { outcome: 'pass' } });
add({ name: "protect: token: 'any' with a verified API key: pass", covers: ['protect', 'machine'], config: 'prod', request: req(`${APP}/api`, { authorization: 'Bearer ak_1234' }),
  host: verifiedMachine(2), protect: { token: 'any' }, expect: { outcome: 'pass' } });
add({ name: "protect: token: ['api_key'] with a verified M2M token: 401", covers: ['protect', 'machine'], config: 'prod', request: req(`${APP}/api`, { authorization: 'Bearer mt_1234' }),
  host: verifiedMachine(0), protect: { token: ['api_key'] }, expect: { outcome: 'unauthorized', headers: [] } });
add({ name: "protect: token: 'oauth_token' with an OAuth token: 401 with WWW-Authenticate", covers: ['protect', 'machine'], config: 'prod', request: req(`${APP}/api`, { authorization: 'Bearer oat_1' }),
  host: machineHost('oat_1', NOT_FOUND), protect: { token: 'oauth_token' }, expect: { outcome: 'unauthorized', headers: WWW_AUTH } });
add({ name: "protect: token: 'api_key' with a verified OAuth token: 401 with WWW-Authenticate", covers: ['protect', 'machine'], config: 'prod', request: req(`${APP}/api`, { authorization: 'Bearer oat_1234' }),
  host: verifiedMachine(1), protect: { token: 'api_key' }, expect: { outcome: 'unauthorized', headers: WWW_AUTH } });
add({ name: "protect: token: 'oauth_token' with a verified OAuth token: pass", covers: ['protect', 'machine'], config: 'prod', request: req(`${APP}/api`, { authorization: 'Bearer oat_1234' }),
  host: verifiedMachine(1), protect: { token: 'oauth_token' }, expect: { outcome: 'pass' } });
add({ name: 'protect: session token on a machine-only route: 401', covers: ['protect'], config: 'prod', request: req(`${APP}/`, { cookie: orgCookie, ...DOC }), host: [verifyCookie('orgAcme')],
  protect: { token: ['api_key', 'm2m_token'] }, expect: { outcome: 'unauthorized' } });
add({ name: 'protect: a relative unauthenticatedUrl is resolved on the request origin', covers: ['protect'], config: 'prod', request: req(`${APP}/api`, { ...FETCH }),
  protect: { unauthenticatedUrl: '/login' }, expect: { outcome: 'redirect', location: `${APP}/login` }, clerkDiffers: "Next's NextResponse.redirect throws on relative URLs" });
add({ name: 'protect: CR/LF in a redirect target never reaches a header', covers: ['protect', 'header-injection'], config: 'prod', request: req(`${APP}/api`, { ...FETCH }),
  protect: { unauthenticatedUrl: 'https://example.com/a\r\nSet-Cookie: x=1' }, expect: { outcome: 'redirect', location: 'https://example.com/aSet-Cookie:%20x=1' } });

// ---------------------------------------------------------------- redirectToSignIn / SignUp (§2.4 vectors)
add({ name: 'redirect: Account Portal sign-in (clerkMiddleware.test.ts)', covers: ['redirect'], config: 'devClerkCom', request: req('https://www.clerk.com/protected'),
  redirect: { target: 'sign-in' }, expect: { location: 'https://accounts.included.katydid-92.lcl.dev/sign-in?redirect_url=https%3A%2F%2Fwww.clerk.com%2Fprotected' } });
add({ name: 'redirect: dev browser appended on a cross-origin redirect', covers: ['redirect', 'dev-browser'], config: 'devClerkCom', request: req('https://www.clerk.com/protected', { cookie: '__clerk_db_jwt=test_jwt' }),
  redirect: { target: 'sign-in' }, expect: { location: 'https://accounts.included.katydid-92.lcl.dev/sign-in?redirect_url=https%3A%2F%2Fwww.clerk.com%2Fprotected&__clerk_db_jwt=test_jwt' } });
add({ name: 'redirect: sign-up from a relative signInUrl is <signIn>/create', covers: ['redirect'], config: 'devClerkComSignIn', request: req('https://www.clerk.com/protected'),
  redirect: { target: 'sign-up' }, expect: { location: 'https://www.clerk.com/hello/create?redirect_url=https%3A%2F%2Fwww.clerk.com%2Fprotected' } });
add({ name: 'redirect: kima dev instance sign-up with dev browser (createRedirect.test.ts)', covers: ['redirect', 'dev-browser'], config: 'kima', request: req('http://current.url:3000/page', { cookie: '__clerk_db_jwt=deadbeef' }),
  redirect: { target: 'sign-up' }, expect: { location: 'https://included.katydid-92.accounts.dev/sign-up?redirect_url=http%3A%2F%2Fcurrent.url%3A3000%2Fpage&__clerk_db_jwt=deadbeef' } });
add({ name: 'redirect: staging instance', covers: ['redirect'], config: 'staging', request: req('http://current.url:3000/page'),
  redirect: { target: 'sign-up' }, expect: { location: 'https://included.katydid-92.accountsstage.dev/sign-up?redirect_url=http%3A%2F%2Fcurrent.url%3A3000%2Fpage' } });
add({ name: 'redirect: a satellite adds __clerk_synced=false to a cross-origin return URL', covers: ['redirect', 'satellite'], config: 'prodSatellite', request: req(`${SAT}/dashboard`),
  redirect: { target: 'sign-in' }, expect: { location: 'https://primary.example.com/sign-in?redirect_url=https%3A%2F%2Fsatellite.example.com%2Fdashboard%3F__clerk_synced%3Dfalse' } });
add({ name: 'redirect: relative signInUrl resolves against the current URL', covers: ['redirect'], config: 'currentUrl', request: req('http://current.url:3000/page'),
  redirect: { target: 'sign-in' }, expect: { location: 'http://current.url:3000/sign-in?redirect_url=http%3A%2F%2Fcurrent.url%3A3000%2Fpage' } });
add({ name: 'redirect: returnBackUrl null omits redirect_url', covers: ['redirect'], config: 'currentUrl', request: req('http://current.url:3000/page'),
  redirect: { target: 'sign-in', returnBackUrl: null }, expect: { location: 'http://current.url:3000/sign-in' } });
add({ name: 'redirect: an explicit returnBackUrl', covers: ['redirect'], config: 'currentUrl', request: req('http://current.url:3000/page'),
  redirect: { target: 'sign-in', returnBackUrl: '/after' }, expect: { location: 'http://current.url:3000/sign-in?redirect_url=http%3A%2F%2Fcurrent.url%3A3000%2Fafter' } });
add({ name: 'redirect: X-Forwarded-Host does not choose the return URL', covers: ['redirect', 'open-redirect'], config: 'currentUrl', request: req('http://current.url:3000/page', { 'x-forwarded-host': 'evil.test' }),
  redirect: { target: 'sign-in' }, expect: { location: 'http://current.url:3000/sign-in?redirect_url=http%3A%2F%2Fcurrent.url%3A3000%2Fpage' } });

// ---------------------------------------------------------------- configuration
const cfg = (name, options, error) => add({ name, covers: ['config'], configObject: options, expect: error ? { error } : { ok: true } });
cfg('config: a minimal production configuration', prod, null);
cfg('config: no publishable key', { secretKey: 'sk_live_x' }, 'missing-publishable-key');
cfg('config: invalid publishable key', { publishableKey: 'pk_live_aW52YWxpZGtleSQ=', secretKey: 'sk_live_x' }, 'invalid-publishable-key');
cfg('config: no secret key', { publishableKey: PK_PROD }, 'missing-secret-key');
cfg('config: satellite without domain or proxyUrl', { ...prod, isSatellite: true, signInUrl: 'https://p.test/sign-in' }, 'satellite-missing-domain-or-proxy-url');
cfg('config: development satellite without an absolute signInUrl', { ...dev, isSatellite: true, domain: 'sat.test', signInUrl: '/sign-in' }, 'satellite-missing-sign-in-url');
cfg('config: protocol-relative signInUrl (open redirect)', { ...prod, signInUrl: '//evil.test/sign-in' }, 'invalid-url-option');
cfg('config: CR/LF in signUpUrl (header injection)', { ...prod, signUpUrl: '/sign-up\r\nX: y' }, 'invalid-url-option');
cfg('config: a javascript: sign-in URL', { ...prod, signInUrl: 'javascript:alert(1)' }, 'invalid-url-option');
cfg('config: a bare-star organization pattern', { ...prod, organizationSyncOptions: { organizationPatterns: ['/orgs/*'] } }, 'invalid-organization-pattern');
cfg('config: allowedRedirectOrigins entries are origins', { ...prod, allowedRedirectOrigins: ['https://a.test/path'] }, 'invalid-redirect-origin');

// ---------------------------------------------------------------- downstream
add({ name: 'downstream: x-clerk-* request headers with the HMAC-SHA1 signature', covers: ['downstream'], config: 'prod', request: req(`${APP}/`, { cookie: C(), ...DOC }), host: [verifyCookie('valid')],
  downstream: true, expect: { headers: [
    ['x-clerk-auth-status', 'signed-in'], ['x-clerk-auth-token', T('valid')], ['x-clerk-auth-signature', '{{hmac:sk_live_xxx:valid}}'],
    ['x-clerk-auth-message', ''], ['x-clerk-auth-reason', ''], ['x-clerk-clerk-url', `${APP}/`]] } });

// Resolve {{hmac:KEY:TOKEN}} here (the runner only knows {{tok:...}}).
const json = JSON.stringify(cases).replace(/\{\{hmac:([^:]+):(\w+)\}\}/g, (_, key, name) =>
  createHmac('sha1', key).update(tokens[name].jwt).digest('hex'));

const out = {
  description: 'Decision-engine vectors for portcullis (src/decide): Clerk authenticateRequest (@clerk/backend 3.25.0) cases C1–C15, handshake URLs, loop guard, suffixed cookies, protect() and sign-in redirects. Format: see the top of tests/decide_vectors.rs. Strings may contain {{tok:NAME}}, replaced by tokens[NAME].jwt before use.',
  warning: 'TEST-ONLY KEY: the tokens are signed with the published test key rsa2048 of tests/data/token-vectors.json.',
  now: NOW,
  key: { kid: keys.jwk.kid, spkiPem: keys.spkiPem },
  cookieSuffixes: { [PK_PROD]: SP, [PK_DEV]: SD },
  tokens,
  configs,
  cases: JSON.parse(json),
};
writeFileSync(`${ROOT}/tests/data/decide-vectors.json`, JSON.stringify(out, null, 1) + '\n');
console.log('cases', out.cases.length);
