/**
 * The doctor's findings: every code it can report, with its severity and a one-line meaning, and the
 * helpers that build, order, count and redact findings.
 *
 * Why a catalogue: codes are an interface (people search for them, CI greps `--json` output for
 * them, the README documents them), so they are declared once here, each with a fixed severity, and
 * `finding()` refuses a code that is not declared. Messages are written per situation by the
 * checks; this table only says what a code means.
 *
 * Why redaction lives here: every message and fix passes through {@link redactFindings} before it is
 * returned, so no check can leak a secret key, a JWT key or a token into a terminal, a CI log or
 * `--json` output, even when it quotes a configuration value.
 * @module
 */

import { scrub } from '../next/debug.js';

/** @typedef {'error' | 'warning' | 'info'} Severity */

/**
 * One finding: a stable `code`, its `severity`, what is wrong in plain words and how to fix it.
 * `subject` names the variable, option or file it is about (used to avoid saying the same thing twice).
 * @typedef {{code: string, severity: Severity, message: string, fix: string, subject?: string}} Finding
 */

/** code → [severity, meaning]. The order is the order of the README table. */
export const CODES = Object.freeze({
  // Keys and options (js/doctor/config.js)
  'publishable-key-missing': ['error', 'No publishable key: the middleware throws on every request.'],
  'publishable-key-invalid': ['error', 'The publishable key is not a Clerk publishable key (prefix, base64, `$`, or the wrong variable).'],
  'secret-key-missing': ['error', 'No secret key: the middleware throws on every request.'],
  'secret-key-invalid': ['error', 'The secret key does not look like sk_test_… / sk_live_….'],
  'secret-key-exposed': ['error', 'A secret key is in a NEXT_PUBLIC_ variable, which Next.js ships to every browser.'],
  'keys-instance-mismatch': ['error', 'The publishable and secret keys belong to different instances (test vs live).'],
  'jwt-key-invalid': ['error', 'CLERK_JWT_KEY / jwtKey is not a usable PEM public key.'],
  'options-invalid': ['error', 'The middleware options are refused at start-up (the engine names the option).'],
  'encryption-key-missing': ['error', 'secretKey is passed as an option but CLERK_ENCRYPTION_KEY is not set.'],
  'authorized-parties-invalid': ['error', 'An authorizedParties entry is not an origin, so no token can match it.'],
  'authorized-parties-missing': ['warning', 'Production keys without authorizedParties: any site can present your tokens.'],
  'test-keys-on-public-host': ['warning', 'Development (test) keys are used on a public host.'],
  'live-keys-on-local-host': ['warning', 'Production (live) keys are used on a local host, where Clerk refuses them.'],
  'live-key-domain-mismatch': ['warning', "The host is not under the production instance's domain, so its cookies cannot be set."],
  // The project's files (js/cli/project.js reads them; js/doctor/index.js judges)
  'middleware-not-found': ['warning', 'No middleware.ts / proxy.ts (or wrangler.toml) was found, so routes were not checked.'],
  'middleware-misplaced': ['error', 'The middleware file is where Next.js does not look for it (root vs src/).'],
  'middleware-unreadable': ['error', 'The middleware file does not parse.'],
  'clerk-middleware-not-found': ['warning', 'The middleware file does not call clerkMiddleware().'],
  'rules-unclear': ['info', 'Part of the route rules could not be read statically; the doctor says which and does not guess.'],
  'route-pattern-invalid': ['error', 'A createRouteMatcher / PORTCULLIS_ROUTES pattern does not compile (e.g. a bare *).'],
  'worker-config-invalid': ['error', 'The Worker configuration (wrangler.toml vars) is refused; the Worker answers 500 until fixed.'],
  // Route rules and the matcher (js/doctor/routes.js)
  'sign-in-url-protected': ['error', 'The sign-in page is protected by the rules: signed-out visitors loop between it and itself.'],
  'sign-up-url-protected': ['error', 'The sign-up page is protected by the rules: signed-out visitors can never reach it.'],
  'webhook-route-protected': ['error', 'A webhook route requires a session; webhook senders have none, so every delivery is refused.'],
  'static-assets-protected': ['error', 'Static assets go through the middleware and are protected: pages load blank for signed-out visitors.'],
  'matcher-includes-static': ['warning', 'The matcher sends _next/static or other static files through auth (slow, rate limits).'],
  'matcher-skips-api': ['error', 'The matcher skips /api (or /trpc): auth() there throws and nothing protects those routes.'],
  'pattern-matches-siblings': ['warning', 'A `(.*)` pattern also matches sibling paths (/admin(.*) matches /administrator).'],
  // One URL (js/doctor/url.js)
  'url-route': ['info', 'How the given --url is handled: through the middleware or not, public or protected.'],
  'url-skips-middleware': ['warning', 'The given --url does not go through the middleware: auth() there throws and nothing protects it.'],
  'cookie-host-only': ['warning', 'The --url is on another subdomain than the app: the host-only __session cookie never reaches it.'],
  // One token (js/doctor/token.js)
  'token-valid': ['info', 'The token verifies with the configured keys and options.'],
  'token-malformed': ['error', 'The token is not a JWT (or is not a session token).'],
  'token-expired': ['error', 'The token has expired.'],
  'token-clock-skew': ['error', 'The token is not valid yet (nbf / iat in the future): the clocks disagree.'],
  'token-azp-not-allowed': ['error', "The token's azp (the origin that asked for it) is not in authorizedParties."],
  'token-wrong-instance': ['error', "The token's key id is not in the key set: it comes from another Clerk instance."],
  'token-signature-invalid': ['error', "The token's signature does not verify with the configured key."],
  'token-issuer-mismatch': ['warning', "The token's issuer is not the Frontend API of the configured publishable key."],
  'token-rejected': ['error', 'The token is refused for another reason (algorithm, type, category, audience…); the reason code is given.'],
  'token-keys-unavailable': ['error', 'No key could be loaded to verify the token (no key source, or the JWKS failed to load).'],
});

const ORDER = { error: 0, warning: 1, info: 2 };

/**
 * Builds a finding; the severity comes from the catalogue.
 * @param {string} code
 * @param {string} message what is wrong, in plain words
 * @param {string} fix what to change
 * @param {string} [subject] the variable, option or file it is about
 * @returns {Finding}
 */
export function finding(code, message, fix, subject) {
  const entry = CODES[/** @type {keyof typeof CODES} */ (code)];
  if (entry === undefined) throw new Error(`doctor: unknown finding code ${code}`);
  /** @type {Finding} */
  const out = { code, severity: /** @type {Severity} */ (entry[0]), message, fix };
  if (subject !== undefined) out.subject = subject;
  return out;
}

/**
 * Errors first, then warnings, then infos; stable within a severity.
 * @param {Finding[]} findings
 */
export function sortFindings(findings) {
  return findings
    .map((f, i) => [f, i])
    .sort((a, b) => ORDER[a[0].severity] - ORDER[b[0].severity] || /** @type {number} */ (a[1]) - /** @type {number} */ (b[1]))
    .map(([f]) => /** @type {Finding} */ (f));
}

/**
 * Counts per severity.
 * @param {Finding[]} findings
 */
export function summarize(findings) {
  const counts = { errors: 0, warnings: 0, infos: 0 };
  for (const f of findings) {
    if (f.severity === 'error') counts.errors++;
    else if (f.severity === 'warning') counts.warnings++;
    else counts.infos++;
  }
  return counts;
}

/**
 * The values that must never be printed: secret keys, JWT keys, encryption keys, tokens.
 * @param {Record<string, string | undefined>} env
 * @param {Record<string, unknown>} [options]
 * @param {string[]} [extra] e.g. the token under examination
 */
export function secretValues(env, options = {}, extra = []) {
  /** @type {Set<string>} */
  const secrets = new Set();
  const add = (/** @type {unknown} */ value) => {
    if (typeof value !== 'string' || value.length < 8) return;
    secrets.add(value);
    // A PEM key also appears line by line, or with literal \n.
    for (const line of value.split(/\\n|\n/)) if (line.length >= 16 && !line.startsWith('-----')) secrets.add(line);
  };
  for (const [name, value] of Object.entries(env)) {
    if (/SECRET|JWT_KEY|ENCRYPTION|SIGNING_KEY|PASSWORD|TOKEN/i.test(name) || /^sk_(test|live)_/.test(value ?? '')) add(value);
  }
  for (const name of ['secretKey', 'jwtKey', 'machineSecretKey', 'encryptionKey']) add(options[name]);
  for (const value of extra) add(value);
  return secrets;
}

/**
 * The findings with every secret cut out of their texts (secret keys keep their last 3 characters,
 * other secrets and JWTs their first 7), as the debug log does.
 * @param {Finding[]} findings
 * @param {Iterable<string>} secrets
 * @returns {Finding[]}
 */
export function redactFindings(findings, secrets) {
  const list = [...secrets];
  return findings.map((f) => ({ ...f, message: scrub(f.message, list), fix: scrub(f.fix, list) }));
}
