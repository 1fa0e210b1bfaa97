/**
 * The local issuer and the built-in demo origin in workerd: loopback-only, sign-in, v2 session
 * tokens and their JWKS, refresh by script and by handshake redirect, CSRF and open-redirect guards.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { PAGE, PK_TEST, SK_TEST, request, testKey, withWorker, workerOptions } from './helpers.js';

const ROUTES = JSON.stringify({
  public: ['/'],
  protected: [{ pattern: '/admin(.*)', role: 'org:admin' }, '/dashboard(.*)'],
  api: ['/api(.*)'],
  forbidden: 403,
});
const LOCAL = { CLERK_PUBLISHABLE_KEY: PK_TEST, CLERK_SECRET_KEY: SK_TEST, PORTCULLIS_LOCAL_ISSUER: '1', PORTCULLIS_ROUTES: ROUTES };
const BASE = 'http://127.0.0.1:8787';
const ISSUER = `${BASE}/__portcullis/issuer`;

/** A minimal cookie jar (one host, paths honoured). */
class Jar {
  constructor() {
    /** @type {Map<string, {value: string, path: string}>} */
    this.cookies = new Map();
  }

  /** @param {Response} res */
  take(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const maxAge = attrs.find((a) => a.toLowerCase().startsWith('max-age='));
      if (maxAge !== undefined && Number(maxAge.slice(8)) <= 0) this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
    return res;
  }

  /** @param {string} url */
  header(url) {
    const path = new URL(url).pathname;
    return [...this.cookies].filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : c.path + '/'))
      .map(([n, c]) => `${n}=${c.value}`).join('; ');
  }

  /** @param {string} name */
  get(name) {
    return this.cookies.get(name)?.value;
  }
}

/**
 * A browser-ish fetch: sends the jar's cookies, stores Set-Cookie, does not follow redirects.
 * @param {import('miniflare').Miniflare} mf
 * @param {Jar} jar
 * @param {string} url
 * @param {RequestInit & {headers?: Record<string, string>}} [init]
 */
async function browse(mf, jar, url, init = {}) {
  const cookie = jar.header(url);
  const headers = { ...PAGE, ...(cookie ? { cookie } : {}), ...(init.headers ?? {}) };
  return jar.take(await request(mf, url, { ...init, headers }));
}

/**
 * Signs in through the sign-in form.
 * @param {import('miniflare').Miniflare} mf
 * @param {Jar} jar
 * @param {{user: string, org?: string, role?: string, redirect?: string}} who
 */
async function signIn(mf, jar, { user, org = '', role = '', redirect = `${BASE}/dashboard` }) {
  const body = new URLSearchParams({ user, org, role, redirect_url: redirect }).toString();
  return browse(mf, jar, `${ISSUER}/sign-in`, {
    method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE, 'sec-fetch-site': 'same-origin' },
  });
}

describe('local issuer: only on loopback, only when enabled', () => {
  it('refuses every route (and the whole Worker) on a non-loopback host', async () => {
    await withWorker(LOCAL, async (mf) => {
      for (const url of ['http://example.com/__portcullis/issuer/sign-in', 'http://example.com/__portcullis/issuer/.well-known/jwks.json',
        'http://192.168.1.10:8787/__portcullis/issuer/v1/client/handshake?redirect_url=/', 'http://example.com/dashboard', 'http://example.com/']) {
        const res = await request(mf, url, { headers: PAGE });
        assert.equal(res.status, 500, url);
        const html = await res.text();
        assert.match(html, /not loopback/, url);
        assert.match(html, /PORTCULLIS_LOCAL_ISSUER/);
        assert.equal(res.headers.get('set-cookie'), null);
      }
      const post = await request(mf, 'http://example.com/__portcullis/issuer/sign-in', { method: 'POST', body: 'user=user_alice', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(post.status, 500);
      assert.equal(post.headers.get('set-cookie'), null, 'no session minted');
      // every loopback spelling works
      for (const host of ['127.0.0.1:8787', 'localhost:8787', '[::1]:8787', '127.0.0.2']) {
        assert.equal((await request(mf, `http://${host}/__portcullis/issuer/sign-in`)).status, 200, host);
      }
    });
  });

  it('refuses when PORTCULLIS_LOCAL_ISSUER is not 1', async () => {
    const { PORTCULLIS_LOCAL_ISSUER, ...rest } = LOCAL;
    await withWorker({ ...rest, ORIGIN_URL: 'builtin:demo', CLERK_JWT_KEY: testKey().pem }, async (mf) => {
      for (const route of ['/sign-in', '/.well-known/jwks.json', '/v1/client/handshake']) {
        const res = await request(mf, `${ISSUER}${route}`);
        assert.equal(res.status, 500, route);
        assert.match(await res.text(), /disabled/);
      }
    });
  });
});

describe('local issuer: sign-in, tokens, refresh, handshake', () => {
  it('signs alice in through the form and mints a Clerk v2 session token the JWKS verifies', async () => {
    await withWorker(LOCAL, async (mf) => {
      const jar = new Jar();
      // A new browser of a development instance: Clerk's handshake first (dev-browser-missing), at
      // the Frontend API (the proxy URL: the local issuer), which gives it a dev browser and sends it back.
      let res = await browse(mf, jar, `${BASE}/dashboard`);
      assert.equal(res.status, 307);
      assert.equal(res.headers.get('location'), `${ISSUER}/v1/client/handshake?redirect_url=${encodeURIComponent(`${BASE}/dashboard`)}` +
        '&__clerk_api_version=2026-05-12&suffixed_cookies=false&__clerk_hs_reason=dev-browser-missing&format=nonce');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(jar.get('__clerk_redirect_count'), '1');
      res = await browse(mf, jar, res.headers.get('location') ?? '');
      assert.equal(res.status, 307);
      assert.equal(res.headers.get('location'), `${BASE}/dashboard`);
      assert.match(jar.get('__clerk_db_jwt') ?? '', /^dvb_[0-9a-f]{32}$/);
      res = await browse(mf, jar, `${BASE}/dashboard`);
      assert.equal(res.status, 307);
      assert.equal(res.headers.get('location'), `${ISSUER}/sign-in?redirect_url=${encodeURIComponent(`${BASE}/dashboard`)}`);
      res = await browse(mf, jar, res.headers.get('location') ?? '');
      assert.equal(res.status, 200);
      const page = await res.text();
      for (const name of ['alice', 'bob', 'carol']) assert.match(page, new RegExp(`Sign in as ${name}`));

      res = await signIn(mf, jar, { user: 'user_alice', org: 'org_acme', role: 'admin' });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), `${BASE}/dashboard`);
      const token = jar.get('__session') ?? '';
      const header = decodeProtectedHeader(token);
      assert.deepEqual({ alg: header.alg, typ: header.typ, cat: header.cat }, { alg: 'RS256', typ: 'JWT', cat: 'cl_B7d4PD111AAA' });
      const claims = decodeJwt(token);
      assert.equal(claims.v, 2);
      assert.equal(claims.sub, 'user_alice');
      assert.match(String(claims.sid), /^sess_[0-9a-f]{24}$/);
      // the instance's Frontend API (the publishable key's), as Clerk's tokens carry behind a proxy
      assert.equal(claims.iss, 'https://clerk.portcullis.localhost');
      assert.equal(claims.azp, BASE);
      assert.equal(claims.sts, 'active');
      assert.equal(Number(claims.exp) - Number(claims.iat), 60);
      assert.ok(Number(claims.nbf) <= Number(claims.iat));
      assert.deepEqual(claims.o, { id: 'org_acme', slg: 'acme', rol: 'admin', per: 'read,manage', fpm: '3,3' });
      assert.equal(claims.fea, 'o:dashboard,o:reports');
      assert.equal(jar.get('__client_uat'), String(claims.iat));
      const setCookies = res.headers.getSetCookie().join('\n');
      assert.match(setCookies, /__portcullis_issuer=[^;]+; Path=\/__portcullis\/issuer; Max-Age=\d+; HttpOnly; SameSite=Lax/);
      assert.match(setCookies, /__session=[^;]+; Path=\/; SameSite=Lax/);

      const jwks = await (await request(mf, `${ISSUER}/.well-known/jwks.json`)).json();
      assert.equal(jwks.keys[0].kid, header.kid);
      const verified = await jwtVerify(token, createLocalJWKSet(jwks), { algorithms: ['RS256'] });
      assert.equal(verified.payload.sub, 'user_alice');

      res = await browse(mf, jar, `${BASE}/dashboard`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'private, no-store');
      const dashboard = await res.text();
      assert.match(dashboard, /data-signature="ok"/);
      assert.match(dashboard, /<code>user_alice<\/code>/);
      assert.match(dashboard, /<code>org:admin<\/code>/);
      assert.match(dashboard, /org:reports:manage/);
      res = await browse(mf, jar, `${BASE}/admin`);
      assert.equal(res.status, 200);
      const whoami = await (await browse(mf, jar, `${BASE}/api/whoami`, { headers: { accept: 'application/json', 'sec-fetch-dest': 'empty' } })).json();
      assert.equal(whoami.signature.ok, true);
      assert.equal(whoami.identity.userId, 'user_alice');
    });
  });

  it('refuses bob on /admin with a readable page, and shows carol without an organization', async () => {
    await withWorker(LOCAL, async (mf) => {
      const bob = new Jar();
      await signIn(mf, bob, { user: 'user_bob', org: 'org_acme', role: 'member' });
      let res = await browse(mf, bob, `${BASE}/admin`);
      assert.equal(res.status, 403);
      assert.match(await res.text(), /user_bob[\s\S]*org:member[\s\S]*requires role org:admin/);
      res = await browse(mf, bob, `${BASE}/dashboard`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /org:dashboard:read/);
      const carol = new Jar();
      await signIn(mf, carol, { user: 'user_carol' });
      assert.equal(decodeJwt(carol.get('__session') ?? '').o, undefined);
      res = await browse(mf, carol, `${BASE}/admin`);
      assert.equal(res.status, 403);
      assert.match(await res.text(), /without an active organization/);
    });
  });

  it('refreshes the token through POST /v1/client/sessions/:sid/tokens (the page script)', async () => {
    await withWorker(LOCAL, async (mf) => {
      const jar = new Jar();
      await signIn(mf, jar, { user: 'user_alice', org: 'org_acme', role: 'admin' });
      const first = decodeJwt(jar.get('__session') ?? '');
      const url = `${ISSUER}/v1/client/sessions/${first.sid}/tokens`;
      let res = await browse(mf, jar, url, { method: 'POST', headers: { origin: BASE, 'sec-fetch-site': 'same-origin' } });
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.object, 'token');
      assert.equal(body.jwt, jar.get('__session'));
      assert.equal(decodeJwt(body.jwt).sid, first.sid);
      // another session id, a cross-site caller, or no issuer session: refused
      res = await browse(mf, jar, `${ISSUER}/v1/client/sessions/sess_other/tokens`, { method: 'POST', headers: { origin: BASE } });
      assert.equal(res.status, 401);
      res = await browse(mf, jar, url, { method: 'POST', headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
      assert.equal(res.status, 403);
      res = await request(mf, url, { method: 'POST', headers: { origin: BASE } });
      assert.equal(res.status, 401);
      const script = await request(mf, `${ISSUER}/refresh.js`);
      assert.match(await script.text(), /\/v1\/client\/sessions\//);
    });
  });

  it('refreshes by handshake redirect when __session is missing but the issuer session is valid', async () => {
    await withWorker(LOCAL, async (mf) => {
      const jar = new Jar();
      await signIn(mf, jar, { user: 'user_alice', org: 'org_acme', role: 'admin' });
      jar.cookies.delete('__session'); // e.g. the browser was restarted: __client_uat > 0, no session
      let res = await browse(mf, jar, `${BASE}/dashboard?tab=1`);
      assert.equal(res.status, 307);
      const location = new URL(res.headers.get('location') ?? '');
      assert.equal(location.origin + location.pathname, `${ISSUER}/v1/client/handshake`);
      assert.equal(location.searchParams.get('redirect_url'), `${BASE}/dashboard?tab=1`);
      assert.equal(location.searchParams.get('__clerk_hs_reason'), 'client-uat-but-no-session-token');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(jar.get('__clerk_redirect_count'), '1');
      res = await browse(mf, jar, location.href);
      assert.equal(res.status, 307);
      assert.equal(res.headers.get('location'), `${BASE}/dashboard?tab=1`);
      assert.ok(jar.get('__session'), 'a fresh __session was set');
      res = await browse(mf, jar, `${BASE}/dashboard?tab=1`);
      assert.equal(res.status, 200);
    });
  });

  it('recovers from a Worker reload (new isolate, new issuer key) through sign-in\'s handshake link', async () => {
    await withWorker(LOCAL, async (mf) => {
      const jar = new Jar();
      await signIn(mf, jar, { user: 'user_alice', org: 'org_acme', role: 'admin' });
      const old = jar.get('__session');
      await mf.setOptions(workerOptions(LOCAL)); // what `wrangler dev` does on every edit
      // Clerk: a token of an unknown key is signed out (jwk-kid-mismatch), no handshake → sign-in,
      // whose "Continue as" link is the handshake (the issuer session survived the reload).
      let res = await browse(mf, jar, `${BASE}/dashboard`);
      assert.equal(res.status, 307);
      assert.equal(res.headers.get('x-portcullis-auth-reason'), 'jwk-kid-mismatch');
      res = await browse(mf, jar, res.headers.get('location') ?? '');
      assert.equal(res.status, 200);
      const link = /href="([^"]*\/v1\/client\/handshake[^"]*)"/.exec(await res.text())?.[1] ?? '';
      assert.ok(link, 'the sign-in page offers to continue the issuer session');
      res = await browse(mf, jar, new URL(link.replace(/&amp;/g, '&'), BASE).href);
      assert.notEqual(jar.get('__session'), old);
      res = await browse(mf, jar, `${BASE}/dashboard`);
      assert.equal(res.status, 200);
    });
  });

  it('ends in sign-in when the handshake finds no issuer session, and stops after 3 redirects', async () => {
    await withWorker(LOCAL, async (mf) => {
      const jar = new Jar();
      jar.cookies.set('__client_uat', { value: String(Math.floor(Date.now() / 1000)), path: '/' });
      let res = await browse(mf, jar, `${BASE}/dashboard`);
      assert.equal(res.status, 307);
      res = await browse(mf, jar, res.headers.get('location') ?? '');
      assert.equal(res.status, 307);
      assert.equal(jar.get('__client_uat'), '0');
      res = await browse(mf, jar, res.headers.get('location') ?? '');
      assert.equal(res.status, 307);
      assert.match(res.headers.get('location') ?? '', /\/__portcullis\/issuer\/sign-in\?redirect_url=/);
      // loop guard: at the third handshake the request is answered as signed out instead
      const looping = new Jar();
      looping.cookies.set('__client_uat', { value: '1', path: '/' });
      looping.cookies.set('__clerk_redirect_count', { value: '3', path: '/' });
      res = await browse(mf, looping, `${BASE}/dashboard`);
      assert.equal(res.status, 307);
      assert.match(res.headers.get('location') ?? '', /\/sign-in\?redirect_url=/);
      // not handshake-eligible (an API call): signed out at once
      res = await browse(mf, jar, `${BASE}/api/whoami`, { headers: { accept: 'application/json', 'sec-fetch-dest': 'empty' } });
      assert.equal(res.status, 401);
    });
  });

  it('sends an expired session token through the handshake (pages) or denies it (API)', async () => {
    const key = testKey();
    // CLERK_JWT_KEY wins as the key source, so a test token can be expired at will.
    await withWorker({ ...LOCAL, CLERK_JWT_KEY: key.pem }, async (mf) => {
      const now = Math.floor(Date.now() / 1000);
      const cookie = `__clerk_db_jwt=dvb_test; __session=${key.mint({}, { now: (now - 600) * 1000, lifetime: 60 })}; __client_uat=${now - 700}`;
      let res = await request(mf, `${BASE}/dashboard`, { headers: { ...PAGE, cookie } });
      assert.equal(res.status, 307);
      assert.equal(new URL(res.headers.get('location') ?? '').searchParams.get('__clerk_hs_reason'), 'session-token-expired-refresh-non-eligible-no-refresh-cookie');
      res = await request(mf, `${BASE}/api/whoami`, { headers: { cookie } });
      assert.equal(res.status, 401);
      // Clerk's handleMaybeHandshakeStatus: not eligible → signed-out with the handshake's reason
      assert.equal(res.headers.get('x-portcullis-auth-reason'), 'session-token-expired-refresh-non-eligible-no-refresh-cookie');
      // iat before __client_uat: the client changed since this token was minted
      const old = `__clerk_db_jwt=dvb_test; __session=${key.mint({}, { now: (now - 30) * 1000 })}; __client_uat=${now}`;
      res = await request(mf, `${BASE}/dashboard`, { headers: { ...PAGE, cookie: old } });
      assert.equal(new URL(res.headers.get('location') ?? '').searchParams.get('__clerk_hs_reason'), 'session-token-iat-before-client-uat');
    });
  });

  it('guards sign-in and sign-out against cross-site posts and open redirects', async () => {
    await withWorker(LOCAL, async (mf) => {
      const jar = new Jar();
      let res = await browse(mf, jar, `${ISSUER}/sign-in`, {
        method: 'POST', body: 'user=user_alice&org=org_acme&role=admin',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      });
      assert.equal(res.status, 403);
      assert.equal(jar.get('__session'), undefined);
      res = await signIn(mf, jar, { user: 'user_alice', org: 'org_acme', role: 'admin', redirect: 'https://evil.example/steal' });
      assert.equal(res.headers.get('location'), `${BASE}/`);
      res = await signIn(mf, new Jar(), { user: 'user_nobody' });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /Unknown user/);
      res = await browse(mf, jar, `${ISSUER}/sign-out`, { method: 'POST', body: 'redirect_url=/', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE } });
      assert.equal(res.status, 303);
      assert.equal(jar.get('__session'), undefined);
      assert.equal(jar.get('__client_uat'), '0');
      assert.equal(jar.get('__portcullis_issuer'), undefined);
      res = await browse(mf, jar, `${BASE}/dashboard`);
      assert.equal(res.status, 307);
      assert.match(res.headers.get('location') ?? '', /sign-in/);
    });
  });
});
