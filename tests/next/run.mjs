#!/usr/bin/env node
/**
 * The Next.js integration tests: builds each test app with `next build`, serves it with
 * `next start -H localhost -p <free port>` (loopback), and runs suite.mjs against it with real HTTP.
 *
 *   node tests/next/run.mjs                 # both apps (npm run test:next also sets up and builds pkg/)
 *   node tests/next/run.mjs app16           # one app
 *   node tests/next/run.mjs --no-build      # reuse the apps' last .next builds
 *   node tests/next/run.mjs --sync          # only copy tests/next/shared/ into the apps (for `next dev`)
 *
 * | app   | Next    | middleware                        | bundler   |
 * |-------|---------|-----------------------------------|-----------|
 * | app15 | 15.5.29 | middleware.ts (edge runtime)      | webpack   |
 * | app16 | 16.4.6  | proxy.ts (Node.js runtime)        | Turbopack |
 * | app15-legacy | 15.5.29 | legacy/middleware.ts: authMiddleware (edge) | webpack |
 *
 * app15-legacy has no package of its own (no extra npm install): prepareCopy() makes it from app15's
 * config files, shared/ and legacy/middleware.ts, with node_modules a symlink to app15's (webpack
 * resolves it to app15/node_modules, which builds and serves fine); suite-legacy.mjs tests it.
 *
 * The pages, API routes and the middleware logic are shared: tests/next/shared/ is copied into each
 * app (app/ and lib/, git-ignored there) before it is built, so both apps serve the same code with
 * their own node_modules (a symlink or an import from outside the app would resolve `react` and
 * `next` from the repository root's node_modules instead). portcullis is each app's dependency as
 * `file:../../..`, i.e. a link to this repository: the apps test the package as users install it.
 *
 * Each run makes a new RSA key pair: its public PEM goes to the apps as PORTCULLIS_TEST_JWT_KEY
 * (at build and at start); the tests sign tokens with the private key.
 */

import { after, before, describe } from 'node:test';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, lstatSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildApp, startApp } from './support/next-app.mjs';
import { makeKeyPair } from './support/tokens.mjs';
import { registerAppTests } from './suite.mjs';
import { registerLegacyTests } from './suite-legacy.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const SHARED = join(HERE, 'shared');
const SHARED_DIRS = ['app', 'lib'];

// `debug`: the app's middleware has `debug: true` (app16/proxy.ts), which suite.mjs checks in the output.
// `webhooks`: whether shared/app/api/webhooks is copied in (both: it imports portcullis/next/webhooks).
const APPS = [
  { name: 'app15', label: 'Next 15.5 middleware.ts (edge, webpack)', debug: false, webhooks: true },
  { name: 'app16', label: 'Next 16.4 proxy.ts (Node.js, Turbopack)', debug: true, webhooks: true },
  // Built from app15 by prepareCopy() with legacy/middleware.ts (git-ignored; see the table above).
  { name: 'app15-legacy', label: 'Next 15.5 legacy authMiddleware (edge, webpack)', debug: false, webhooks: true, from: 'app15', middleware: 'legacy/middleware.ts' },
];

const args = process.argv.slice(2);
const noBuild = args.includes('--no-build');
const syncOnly = args.includes('--sync');
const wanted = args.filter((arg) => !arg.startsWith('--'));
for (const name of wanted) {
  if (!APPS.some((app) => app.name === name)) {
    console.error(`run.mjs: unknown app ${name}; the apps are ${APPS.map((app) => app.name).join(', ')}`);
    process.exit(2);
  }
}
const selected = APPS.filter((app) => wanted.length === 0 || wanted.includes(app.name));

/**
 * Copies tests/next/shared/{app,lib} into the app, replacing the previous copy.
 * @param {string} appDir
 * @param {{ webhooks: boolean }} app
 */
function syncShared(appDir, app) {
  for (const dir of SHARED_DIRS) {
    rmSync(join(appDir, dir), { recursive: true, force: true });
    cpSync(join(SHARED, dir), join(appDir, dir), { recursive: true });
  }
  if (!app.webhooks) rmSync(join(appDir, 'app', 'api', 'webhooks'), { recursive: true, force: true });
}

/**
 * Makes a copy app (app15-legacy) from its base app: config files and the middleware replaced, the
 * base app's node_modules linked (once); its .next is kept (for --no-build).
 * @param {string} appDir
 * @param {{ from?: string, middleware?: string }} app
 */
function prepareCopy(appDir, app) {
  if (!app.from || !app.middleware) return;
  const baseDir = join(HERE, app.from);
  for (const file of ['package.json', 'next.config.mjs', 'tsconfig.json']) cpSync(join(baseDir, file), join(appDir, file));
  cpSync(join(HERE, app.middleware), join(appDir, 'middleware.ts'));
  if (!lstatSync(join(appDir, 'node_modules'), { throwIfNoEntry: false })) symlinkSync(join('..', app.from, 'node_modules'), join(appDir, 'node_modules'), 'dir');
}

if (syncOnly) {
  for (const app of selected) {
    prepareCopy(join(HERE, app.name), app);
    syncShared(join(HERE, app.name), app);
  }
  process.exit(0);
}

if (!existsSync(join(ROOT, 'pkg', 'portcullis_bg.wasm')) || !existsSync(join(ROOT, 'pkg', 'portcullis.js'))) {
  console.error('run.mjs: the wasm package is not built (pkg/); run `npm run build` (or `npm run test:next`) first.');
  process.exit(1);
}

const keys = makeKeyPair();
const otherKey = makeKeyPair().privateKey;

/** Environment of `next build` and `next start`. */
const appEnv = {
  NEXT_TELEMETRY_DISABLED: '1',
  NODE_ENV: 'production',
  PORTCULLIS_TEST_JWT_KEY: keys.publicPem,
  NEXT_PUBLIC_CLERK_SIGN_IN_URL: '/sign-in',
  // For clerkMiddleware and @clerk/nextjs's auth() in the pages: a production-instance
  // key pair for the Frontend API clerk.example.com (never contacted: tokens are verified with
  // PORTCULLIS_TEST_JWT_KEY). Production, so that signed-in requests need no dev-browser handshake.
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: `pk_live_${Buffer.from('clerk.example.com$').toString('base64')}`,
  CLERK_SECRET_KEY: 'sk_live_portcullis_next_tests_only',
  // For app/api/webhooks/clerk: a fresh Svix signing secret per run (the tests sign with svix).
  CLERK_WEBHOOK_SIGNING_SECRET: `whsec_${randomBytes(24).toString('base64')}`,
};

/** @type {{ app: string, buildMs: number | null, readyMs: number | null }[]} */
const timings = [];

for (const app of selected) {
  const appDir = join(HERE, app.name);
  describe(`${app.name}: ${app.label}`, () => {
    /** @type {Awaited<ReturnType<typeof startApp>> | null} */
    let server = null;
    const timing = { app: app.name, buildMs: /** @type {number | null} */ (null), readyMs: /** @type {number | null} */ (null) };
    timings.push(timing);

    before(async () => {
      prepareCopy(appDir, app);
      syncShared(appDir, app);
      if (!noBuild || !existsSync(join(appDir, '.next', 'BUILD_ID'))) {
        const build = await buildApp(appDir, appEnv);
        timing.buildMs = build.ms;
        console.log(`# ${app.name}: next build took ${(build.ms / 1000).toFixed(1)} s`);
      }
      server = await startApp(appDir, appEnv);
      timing.readyMs = server.readyMs;
      console.log(`# ${app.name}: next start ready in ${(server.readyMs / 1000).toFixed(1)} s at ${server.origin}`);
    });

    after(async () => {
      if (server === null) return;
      await server.stop();
      const log = server.output();
      if (/Error|TypeError|unhandled/i.test(log)) {
        console.log(`# ${app.name}: server output (errors):`);
        for (const line of log.trim().split('\n').slice(-15)) console.log(`#   ${line}`);
      }
    });

    (app.from ? registerLegacyTests : registerAppTests)({
      origin: () => {
        if (server === null) throw new Error(`${app.name} is not running`);
        return server.origin;
      },
      privateKey: keys.privateKey,
      otherKey,
      secretKey: appEnv.CLERK_SECRET_KEY,
      webhookSecret: appEnv.CLERK_WEBHOOK_SIGNING_SECRET,
      debug: app.debug,
      webhooks: app.webhooks,
      output: () => server?.output() ?? '',
    });
  });
}

after(() => {
  for (const { app, buildMs, readyMs } of timings) {
    const build = buildMs === null ? 'reused' : `${(buildMs / 1000).toFixed(1)} s`;
    const ready = readyMs === null ? '-' : `${(readyMs / 1000).toFixed(1)} s`;
    console.log(`# timing ${app}: build ${build}, start ${ready}`);
  }
});
