/**
 * The newcomer's path in a real browser: headless Chromium against `wrangler dev` (local issuer,
 * built-in demo origin) on a free loopback port.
 *
 *   /dashboard → redirected to the sign-in page → "Sign in as alice" → back on /dashboard showing
 *   alice (screenshot: tests/worker/screenshots/signed-in.png) → the page script refreshes the token →
 *   without __session the handshake redirect restores it → bob is refused on /admin.
 *
 * Every run saves its screenshot under tests/worker/screenshots/ (not committed: the page shows the
 * token's times, so its bytes change every run and a test run must not dirty the tree). The copy the
 * READMEs show, tests/worker/signed-in.png, is replaced only with UPDATE_SCREENSHOT=1.
 *
 * Skipped (not failed) when Chromium is not installed: `apt-get install chromium`, or run
 * `PORTCULLIS_BROWSER_TESTS=1 bash scripts/setup.sh`, which installs it.
 */

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { startWranglerDev } from './wrangler-dev.js';

const CHROMIUM = process.env.PORTCULLIS_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT = fileURLToPath(new URL('./screenshots/signed-in.png', import.meta.url));
/** The committed copy shown in the READMEs. */
const REFERENCE = fileURLToPath(new URL('./signed-in.png', import.meta.url));
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

const missing = existsSync(CHROMIUM)
  ? false
  : `Chromium not found at ${CHROMIUM}: install it with \`apt-get install chromium\` (or \`PORTCULLIS_BROWSER_TESTS=1 bash scripts/setup.sh\`), or point PORTCULLIS_CHROMIUM at a binary`;
if (missing) console.log(`# browser test skipped: ${missing}`);

it('signs in through the local issuer in Chromium and is refused /admin as bob', { skip: missing, timeout: 180_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'portcullis-chromium-'));
  /** @type {Awaited<ReturnType<typeof startWranglerDev>> | null} */
  let dev = null;
  /** @type {import('playwright-core').BrowserContext | null} */
  let context = null;
  try {
    dev = await startWranglerDev({
      // The token's azp is the origin the browser uses: allow exactly that one.
      vars: (port) => ({ CLERK_SECRET_KEY: 'sk_test_browser_test_0123456789abcdef', CLERK_AUTHORIZED_PARTIES: `http://127.0.0.1:${port}` }),
      readyPath: '/__portcullis/issuer/.well-known/jwks.json',
    });
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
    const page = context.pages()[0] ?? await context.newPage();

    // 1. /dashboard → sign-in page
    await page.goto(`${dev.url}/dashboard`);
    assert.match(page.url(), /\/__portcullis\/issuer\/sign-in\?redirect_url=/);
    assert.equal(await page.locator('h1').first().textContent(), 'Sign in');

    // 2. choose alice → back on /dashboard, identity verified by the origin
    await Promise.all([page.waitForURL(`${dev.url}/dashboard`), page.getByRole('button', { name: 'Sign in as alice' }).click()]);
    assert.equal(await page.locator('[data-user]').textContent(), 'user_alice');
    assert.equal(await page.locator('[data-signature="ok"]').count(), 1);
    const text = await page.locator('main').textContent();
    assert.match(text ?? '', /org_acme/);
    assert.match(text ?? '', /org:admin/);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    if (process.env.UPDATE_SCREENSHOT === '1') copyFileSync(SCREENSHOT, REFERENCE);

    // 3. the page script refreshes the session token
    const before = (await context.cookies()).find((c) => c.name === '__session')?.value;
    await page.waitForFunction(() => typeof (/** @type {any} */ (window)).portcullisRefresh === 'function');
    await page.waitForTimeout(1100); // a new iat
    await page.evaluate(() => (/** @type {any} */ (window)).portcullisRefresh());
    await page.waitForFunction(() => (document.getElementById('refreshed')?.textContent ?? '').startsWith('at '));
    const after = (await context.cookies()).find((c) => c.name === '__session')?.value;
    assert.ok(before && after && before !== after, 'the page script replaced __session');
    // "Call /api/whoami" works from the page
    await page.getByRole('button', { name: 'Call /api/whoami' }).click();
    await page.waitForFunction(() => (document.getElementById('whoami-out')?.textContent ?? '').includes('user_alice'));

    // 4. without __session (browser restarted) the handshake redirect mints a new one
    await context.clearCookies({ name: '__session' });
    const response = await page.goto(`${dev.url}/admin`);
    assert.equal(response?.status(), 200);
    assert.equal(page.url(), `${dev.url}/admin`);
    assert.ok((await context.cookies()).some((c) => c.name === '__session'), 'the handshake set __session');

    // 5. sign out, sign in as bob, /admin is refused
    await page.goto(`${dev.url}/__portcullis/issuer/sign-out`);
    await Promise.all([page.waitForURL(`${dev.url}/`), page.getByRole('button', { name: 'Sign out' }).click()]);
    await page.goto(`${dev.url}/admin`);
    assert.match(page.url(), /\/sign-in\?redirect_url=/);
    await Promise.all([page.waitForURL(`${dev.url}/admin`), page.getByRole('button', { name: 'Sign in as bob' }).click()]);
    const refused = await page.reload();
    assert.equal(refused?.status(), 403);
    assert.equal(await page.locator('h1').textContent(), 'Not allowed');
    assert.match((await page.locator('main').textContent()) ?? '', /user_bob[\s\S]*org:member[\s\S]*requires role org:admin/);
  } finally {
    await context?.close().catch(() => {});
    await dev?.stop();
    rmSync(profile, { recursive: true, force: true });
  }
});
