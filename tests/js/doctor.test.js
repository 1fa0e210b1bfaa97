// `portcullis doctor` (issue 6): every case of tests/data/doctor-cases.json through the check API
// (js/cli/project.js + js/doctor/index.js) and through the real CLI (bin/portcullis.js, spawned, JSON
// and human output), with no secret or token in any output; every finding code triggered by some
// case and none by the clean project; the handler shapes the static reader understands; Next.js's
// own matcher helpers agreeing with ours; the start-up warnings of clerkMiddleware({ debug: true });
// usage errors; and `npx --no-install portcullis doctor` from a project that depends on this package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import '../../js/index.js';
import { loadProject } from '../../js/cli/project.js';
import { CODES, diagnose } from '../../js/doctor/index.js';
import { compileNextMatcher, nextRouteModel } from '../../js/doctor/rules.js';
import { readMiddleware } from '../../js/doctor/source.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATA = join(ROOT, 'tests/data');
const CLI = join(ROOT, 'bin/portcullis.js');
const TABLE = JSON.parse(readFileSync(join(DATA, 'doctor-cases.json'), 'utf8'));
const VECTORS = JSON.parse(readFileSync(join(DATA, 'token-vectors.json'), 'utf8'));
const TMP = mkdtempSync(join(tmpdir(), 'portcullis-doctor-'));
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));

/**
 * The case's token, minted with a test key of token-vectors.json (time claims relative to `now`).
 * @param {any} spec @param {number} now
 */
function mintToken(spec, now) {
  if (spec.raw !== undefined) return spec.raw;
  const key = VECTORS.keys[spec.key];
  const claims = { ...spec.claims };
  for (const name of ['exp', 'iat', 'nbf']) if (typeof claims[name] === 'number') claims[name] += now;
  const h = Buffer.from(JSON.stringify({ alg: 'RS256', kid: key.jwk.kid, typ: 'JWT', ...spec.header })).toString('base64url');
  const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${h}.${p}.${sign('sha256', Buffer.from(`${h}.${p}`), createPrivateKey(key.pkcs8Pem)).toString('base64url')}`;
}

/** The inputs of one case, for both runners. */
const CASES = TABLE.cases.map((/** @type {any} */ c, /** @type {number} */ i) => {
  const now = c.now ?? TABLE.now;
  const dir = join(DATA, 'doctor', c.dir);
  const token = c.token === undefined ? undefined : mintToken(c.token, now);
  let tokenFile;
  if (token !== undefined) {
    tokenFile = join(TMP, `token-${i}.txt`);
    writeFileSync(tokenFile, token);
  }
  const jwksFile = c.jwks === undefined ? undefined : join(dir, c.jwks);
  const url = c.args?.[c.args.indexOf('--url') + 1];
  return { ...c, now, dir, token, tokenFile, jwksFile, url: c.args?.includes('--url') ? url : undefined };
});

/** @param {{code: string}[]} findings */
const codesOf = (findings) => findings.map((f) => f.code).sort();

/** Secrets that no output may contain: every secret-looking value of the fixtures and the case. */
function assertNoSecrets(/** @type {string} */ text, /** @type {any} */ c) {
  assert.doesNotMatch(text, /sk_(test|live)_[A-Za-z0-9]{4,}/, 'an unredacted secret key');
  if (c.token && c.token.length > 20) assert.ok(!text.includes(c.token.split('.').slice(0, 2).join('.')), 'the token');
  for (const name of Object.keys(VECTORS.keys)) {
    const body = String(VECTORS.keys[name].spkiPem).split('\n')[1];
    if (body) assert.ok(!text.includes(body), `the PEM key ${name}`);
  }
}

test('every case through the check API (loadProject + diagnose)', async (t) => {
  for (const c of CASES) {
    await t.test(c.name, async () => {
      const project = loadProject(c.dir, { processEnv: c.env ?? {} });
      const jwks = c.jwksFile === undefined ? undefined : { text: readFileSync(c.jwksFile, 'utf8'), name: c.jwks };
      const { findings, summary } = await diagnose(project, { token: c.token, url: c.url, jwks, now: c.now * 1000 });
      assert.deepEqual(codesOf(findings), [...c.codes].sort(), JSON.stringify(findings, null, 2));
      assert.equal(summary.errors > 0 ? 1 : 0, c.exit);
      for (const f of findings) {
        assert.equal(f.severity, CODES[f.code][0]);
        assert.ok(f.message.length > 20 && f.fix.length > 10, f.code);
      }
      assertNoSecrets(JSON.stringify(findings), c);
    });
  }
});

/**
 * Runs the CLI; resolves to {code, stdout, stderr}.
 * @param {string[]} args @param {Record<string, string>} [env] @param {string} [cwd]
 */
function runCli(args, env = {}, cwd = ROOT) {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? /** @type {any} */ (error).code : 0, stdout, stderr }));
  });
}

/** @param {any} c */
function cliArgs(c) {
  return ['doctor', '--dir', c.dir, '--now', String(c.now), ...(c.args ?? []),
    ...(c.tokenFile ? ['--token-file', c.tokenFile] : []), ...(c.jwksFile ? ['--jwks', c.jwksFile] : [])];
}

// The JSON output is checked for every case; the human output (the same redacted texts, formatted)
// for the first case of each project and the first one with a token — each CLI run costs ~0.5 s.
const seenDirs = new Set();
let tokenSeen = false;
for (const c of CASES) {
  c.human = !seenDirs.has(c.dir) || (c.token !== undefined && !tokenSeen);
  seenDirs.add(c.dir);
  tokenSeen ||= c.token !== undefined;
}

test('every case through the CLI: JSON and human output, exit status, nothing secret printed', { concurrency: 4 }, async (t) => {
  await Promise.all(CASES.map((c) => t.test(c.name, async () => {
    const json = await runCli([...cliArgs(c), '--json'], c.env);
    assert.equal(json.code, c.exit, json.stderr);
    const result = JSON.parse(json.stdout);
    assert.deepEqual(codesOf(result.findings), [...c.codes].sort());
    assert.equal(result.exitCode, c.exit);
    assertNoSecrets(json.stdout + json.stderr, c);

    if (!c.human) return;
    const human = await runCli(cliArgs(c), c.env);
    assert.equal(human.code, c.exit, human.stderr);
    for (const code of c.codes) assert.match(human.stdout, new RegExp(`^(error|warning|info) +${code}$`, 'm'));
    if (c.codes.length === 0) assert.match(human.stdout, /No problems found\./);
    assertNoSecrets(human.stdout + human.stderr, c);
  })));
});

test('every finding code is triggered by a case, and the clean project triggers none', () => {
  const triggered = new Set(TABLE.cases.flatMap((/** @type {any} */ c) => c.codes));
  for (const code of Object.keys(CODES)) assert.ok(triggered.has(code), `no case triggers ${code}`);
  for (const code of triggered) assert.ok(code in CODES, `unknown code ${code} in the table`);
  const clean = TABLE.cases.filter((/** @type {any} */ c) => c.dir === 'clean' && !c.args && !c.token && !c.env);
  assert.equal(clean.length, 1);
  assert.deepEqual(clean[0].codes, []);
});

test('usage: --help, unknown options, bad values (exit 2), no command', async () => {
  const help = await runCli(['doctor', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: portcullis doctor/);
  for (const args of [['doctor', '--bogus'], ['doctor', '--now', 'yesterday'], ['doctor', '--url', '/relative'],
    ['doctor', '--token', 'a', '--token-file', 'b'], ['doctor', '--jwks', join(TMP, 'missing.json')], ['doctor', '--dir', join(TMP, 'no-such-folder')], ['frobnicate']]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^portcullis: /, args.join(' '));
  }
  assert.equal((await runCli([])).code, 2);
});

/**
 * The route model of an inline middleware file.
 * @param {string} body the handler body and the matchers
 * @param {Record<string, unknown>} [urls]
 */
function modelOf(body, urls = { signInUrl: null, signUpUrl: null }) {
  const source = `import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server';\n${body}`;
  const facts = readMiddleware('middleware.ts', source);
  assert.equal(facts.parseError, null);
  return { facts, model: nextRouteModel(facts, /** @type {any} */ (urls)) };
}

test('handler shapes: which paths the rules protect for a signed-out visitor', () => {
  const pub = "const isPublicRoute = createRouteMatcher(['/', '/sign-in(.*)']);\n";
  const prot = "const isProtectedRoute = createRouteMatcher(['/dashboard', '/dashboard/(.*)']);\n";
  /** @type {[string, string, Record<string, boolean | 'maybe'>][]} */
  const shapes = [
    ['if (!isPublic) protect', `${pub}export default clerkMiddleware(async (auth, req) => { if (!isPublicRoute(req)) await auth.protect(); });`,
      { '/': false, '/sign-in/x': false, '/dashboard': true }],
    ['if (isProtected) protect', `${prot}export default clerkMiddleware(async (auth, req) => { if (isProtectedRoute(req)) { await auth.protect() } });`,
      { '/': false, '/dashboard/a': true, '/dashboardx': false }],
    ['early return, then protect', `${pub}export default clerkMiddleware(async (auth, request) => { if (isPublicRoute(request)) return; await auth.protect(); });`,
      { '/': false, '/x': true }],
    ['!userId && isProtected → redirectToSignIn', `${prot}export default clerkMiddleware(async (auth, req) => { const { userId, redirectToSignIn } = await auth(); if (!userId && isProtectedRoute(req)) return redirectToSignIn(); });`,
      { '/': false, '/dashboard': true }],
    ['userId && … never applies to signed-out visitors', `${prot}export default clerkMiddleware(async (auth, req) => { const { userId } = await auth(); if (userId && isProtectedRoute(req)) await auth.protect(); });`,
      { '/dashboard': false }],
    ['else-if chain', "const a = createRouteMatcher(['/admin(.*)']);\nconst b = createRouteMatcher(['/team(.*)']);\nexport default clerkMiddleware(async (auth, req) => { if (a(req)) await auth.protect({ role: 'org:admin' }); else if (b(req)) await auth.protect(); });",
      { '/admin': true, '/team/x': true, '/': false }],
    ['a local const', `${pub}export default clerkMiddleware(async (auth, req) => { const open = isPublicRoute(req); if (!open) await auth.protect(); });`,
      { '/': false, '/x': true }],
    ['|| of two matchers, && short-circuit', `${prot}const isAdmin = createRouteMatcher(['/admin']);\nexport default clerkMiddleware(async (auth, req) => { if (isAdmin(req) || isProtectedRoute(req)) await auth.protect(); isAdmin(req) && (await auth.protect()); });`,
      { '/admin': true, '/dashboard': true, '/': false }],
    ['ternary expression', `${prot}export default clerkMiddleware((auth, req) => isProtectedRoute(req) ? auth.protect() : undefined);`,
      { '/dashboard': true, '/': false }],
    ['unconditional protect', 'export default clerkMiddleware(async (auth) => { await auth.protect(); });', { '/': true, '/sign-in': true }],
    ['no handler', 'export default clerkMiddleware();', { '/': false }],
    ['export default clerkMiddleware (called by Next directly)', 'export default clerkMiddleware;', { '/': false }],
    ['a wrapper function', `${prot}export default function middleware(req, ev) { return clerkMiddleware(async (auth, r) => { if (isProtectedRoute(r)) await auth.protect(); })(req, ev); }`,
      { '/dashboard': true, '/': false }],
    ['a hand-written redirect for signed-out visitors: cannot tell', `${prot}export default clerkMiddleware(async (auth, req) => { const { userId } = await auth(); if (!userId && isProtectedRoute(req)) return NextResponse.redirect(new URL('/sign-in', req.url)); });`,
      { '/dashboard': 'maybe', '/': false }],
    ['a handler computed by a call: cannot tell', "import { withLogging } from './log';\nasync function handler(auth) { await auth.protect(); }\nexport default clerkMiddleware(withLogging(handler), { debug: true });",
      { '/': 'maybe' }],
    ['a condition on the method: cannot tell', `${prot}export default clerkMiddleware(async (auth, req) => { if (req.method === 'POST' && isProtectedRoute(req)) await auth.protect(); });`,
      { '/dashboard': 'maybe', '/': false }],
    ['handler declared as a function, options object', `${pub}async function handler(auth, req) { if (!isPublicRoute(req)) await auth.protect(); }\nconst middleware = clerkMiddleware(handler, { signInUrl: '/sign-in' });\nexport default middleware;`,
      { '/x': true, '/sign-in': false }],
    ['legacy authMiddleware: sign-in URL public automatically', "import { authMiddleware } from '@clerk/nextjs';\nexport default authMiddleware({ publicRoutes: ['/'] });",
      { '/': false, '/sign-in': false, '/sign-in/factor-one': false, '/x': true }],
  ];
  for (const [name, body, expected] of shapes) {
    const urls = name.startsWith('legacy') ? { signInUrl: '/sign-in', signUpUrl: null } : undefined;
    const { facts, model } = modelOf(body, urls);
    assert.notEqual(facts.kind, null, name);
    for (const [path, want] of Object.entries(expected)) assert.equal(model.protects(path), want, `${name}: ${path}`);
  }
});

test('source reading: comments are not rules, escapes are decoded, env references resolve, config.matcher shapes', () => {
  const source = `import { clerkMiddleware, createRouteMatcher as crm } from 'portcullis/next';
// const isPublicRoute = createRouteMatcher(['/everything(.*)']);
const isPublicRoute = crm(['/', '/files/(.*)\\\\.pdf']);
export default clerkMiddleware(async (auth, req) => { if (!isPublicRoute(req)) await auth.protect(); },
  { signInUrl: process.env.SIGN_IN ?? '/fallback', authorizedParties: [process.env.APP_ORIGIN], domain: getDomain() });
export const config = { matcher: ['/((?!_next).*)', { source: '/api/(.*)', has: [{ type: 'header', key: 'x' }] }] };`;
  const facts = readMiddleware('middleware.ts', source, { env: { APP_ORIGIN: 'https://app.example.com' } });
  assert.deepEqual(facts.matchers.isPublicRoute.patterns, ['/', '/files/(.*)\\.pdf']);
  assert.deepEqual(Object.keys(facts.matchers), ['isPublicRoute']);
  const options = /** @type {any} */ (facts.options);
  assert.equal(options.signInUrl, '/fallback');
  assert.deepEqual(options.authorizedParties, ['https://app.example.com']);
  assert.deepEqual(options.domain, { $dynamic: 'getDomain()' });
  assert.deepEqual(facts.matcher, [{ source: '/((?!_next).*)', conditional: false }, { source: '/api/(.*)', conditional: true }]);
  const model = nextRouteModel(facts, { signInUrl: null, signUpUrl: null });
  assert.equal(model.protects('/files/a.pdf'), false);
  assert.equal(model.protects('/files/a.txt'), true);

  // Values that are not literals are never guessed: the matcher answers 'maybe' and the doctor says so.
  const cyclic = readMiddleware('middleware.ts', `import { clerkMiddleware, createRouteMatcher } from 'portcullis/next';
const a = b; const b = a;
const isPublicRoute = createRouteMatcher(a);
export default clerkMiddleware(async (auth, req) => { if (!isPublicRoute(req)) await auth.protect(); });`);
  assert.equal(cyclic.matchers.isPublicRoute.patterns, null);
  assert.match(cyclic.unclear.join(' '), /isPublicRoute .* not literal patterns/);
  assert.equal(nextRouteModel(cyclic, { signInUrl: null, signUpUrl: null }).protects('/x'), 'maybe');
});

test('config.matcher: our answers equal Next.js\'s own getMiddlewareMatchers + getMiddlewareRouteMatcher', () => {
  const require = createRequire(import.meta.url);
  const { getMiddlewareMatchers } = require('next/dist/build/analysis/get-page-static-info.js');
  const { getMiddlewareRouteMatcher } = require('next/dist/shared/lib/router/utils/middleware-route-matcher.js');
  const sources = [
    '/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
    '/(api|trpc)(.*)', '/', '/((?!api).*)', '/dashboard/:path*', '/((?!.+\\.[\\w]+$|_next).*)',
    '/((?!_next/static|_next/image|favicon.ico).*)', '/admin(.*)', '/:path*', '/api/:path+', '/blog/:slug',
  ];
  const paths = ['/', '/index', '/index.json', '/sign-in', '/sign-in/factor-one', '/_next/static/chunks/main-app.js',
    '/_next/image', '/favicon.ico', '/images/logo.png', '/fonts/inter.woff2', '/api', '/api/users', '/trpc/user.list',
    '/dashboard', '/dashboard/a/b', '/dashboardx', '/_next/data/build-1/dashboard.json', '/dashboard.rsc',
    '/dashboard.segments/a.segment.rsc', '/admin', '/administrator', '/a%20b', '/%E6%97%A5', '/blog/hello', '/blog/a/b',
    '/api/webhooks/clerk', '/robots.txt', '/x.json', '/sitemap.xml'];
  let compared = 0;
  for (const source of sources) {
    const next = getMiddlewareRouteMatcher(getMiddlewareMatchers([source], {}));
    const ours = compileNextMatcher([{ source, conditional: false }], 'test', []);
    for (const path of paths) {
      let decoded = path;
      try {
        decoded = decodeURIComponent(path);
      } catch {
        // as Next: only the raw form
      }
      assert.equal(ours(path), next(path, {}, {}) || next(decoded, {}, {}), `${source} ${path}`);
      compared++;
    }
  }
  assert.equal(compared, sources.length * paths.length);
});

test('clerkMiddleware({ debug: true }) prints the environment and option checks once per process', async () => {
  const require = createRequire(import.meta.url);
  const { NextRequest } = require('next/server');
  const { clerkMiddleware } = await import('../../js/next/clerk-middleware.js');
  const { resetEnvForTesting } = await import('../../js/next/options.js');
  const { resetStartupWarningsForTesting } = await import('../../js/doctor/config.js');
  const saved = { ...process.env };
  const secret = 'sk_live_startupCheckSecret0123456789';
  Object.assign(process.env, { NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: 'pk_test_aGFwcHktb3R0ZXItMTIuY2xlcmsuYWNjb3VudHMuZGV2JA', CLERK_SECRET_KEY: secret });
  resetEnvForTesting();
  resetStartupWarningsForTesting();
  const warned = [];
  const { warn, log } = console;
  console.warn = (/** @type {any[]} */ ...args) => { warned.push(args.join(' ')); };
  console.log = () => {};
  try {
    const middleware = clerkMiddleware({ debug: true, authorizedParties: ['https://app.example.com/'] });
    const request = () => new NextRequest('https://app.example.com/dashboard', { headers: { accept: 'application/json' } });
    await middleware(request(), /** @type {any} */ ({}));
    const codes = warned.map((line) => /^portcullis doctor: \w+ ([a-z-]+):/.exec(line)?.[1]).sort();
    assert.deepEqual(codes, ['authorized-parties-invalid', 'keys-instance-mismatch', 'test-keys-on-public-host']);
    for (const line of warned) {
      assert.ok(!line.includes(secret), 'the secret key is not printed');
      assert.match(line, / Fix: /);
    }
    const count = warned.length;
    await middleware(request(), /** @type {any} */ ({}));
    assert.equal(warned.length, count, 'once per process');

    resetStartupWarningsForTesting();
    await clerkMiddleware({ authorizedParties: ['https://app.example.com/'] })(request(), /** @type {any} */ ({}));
    assert.equal(warned.length, count, 'nothing without debug');
  } finally {
    console.warn = warn;
    console.log = log;
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
    resetEnvForTesting();
    resetStartupWarningsForTesting();
  }
});

test('npx --no-install portcullis doctor works in a project that depends on portcullis (file: link)', () => {
  const consumer = mkdtempSync(join(tmpdir(), 'portcullis-consumer-'));
  try {
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { portcullis: `file:${ROOT}` } }));
    const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: consumer, encoding: 'utf8', timeout: 120_000 });
    assert.equal(install.status, 0, install.stderr);
    const run = spawnSync('npx', ['--no-install', 'portcullis', 'doctor', '--dir', join(DATA, 'doctor', 'sign-in-loop'), '--json'],
      { cwd: consumer, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? consumer } });
    assert.equal(run.status, 1, run.stderr);
    assert.deepEqual(codesOf(JSON.parse(run.stdout).findings), ['sign-in-url-protected', 'sign-up-url-protected', 'webhook-route-protected']);
  } finally {
    rmSync(consumer, { recursive: true, force: true });
  }
});
