/**
 * Clerk's `debug: true` middleware option: one grouped log per request, buffered and flushed when
 * the request is done (Clerk's `withLogger` / `createDebugLogger` / `logFormatter`):
 *
 *   [clerk debug start: clerkMiddleware]
 *     options, {...}
 *     url, {...}
 *     requestState, {...}
 *     auth, {...}
 *   [clerk debug end: clerkMiddleware] (portcullis=<v>,next=<v>,timestamp=<unix s>)
 *
 * Why this module: debug output goes to logs that many people and systems can read, so nothing
 * secret may reach it. Clerk's formatter masks a value that *is* a secret key and cuts a few named
 * fields to 7 characters, but prints the request's headers and cookies (session tokens included)
 * in full; here every entry is formatted as Clerk formats it and then scrubbed once more: secret
 * keys (`sk_live_`/`sk_test_`, anywhere in the text) keep only their last 3 characters, and
 * tokens — JWTs, token cookies (`__session`, `__refresh`, `__clerk_db_jwt`, `__clerk_handshake`,
 * with or without suffix), the Authorization credentials, and every secret option the request was
 * configured with — keep only their first 7.
 * @module
 */

const VERSION = '0.1.0';
const SENSITIVE_KEYS = new Set(['sessionToken', 'tokenInHeader', 'sessionTokenInCookie', 'secretKey', 'jwtKey',
  'machineSecretKey', 'encryptionKey', 'refreshTokenInCookie', 'devBrowserToken', 'handshakeToken', 'handshakeNonce']);
const TOKEN_COOKIE = /^(__session|__refresh|__clerk_db_jwt|__clerk_handshake|__clerk_handshake_nonce)(_[A-Za-z0-9_-]+)?$/;
const SECRET_KEY_TEXT = /(sk_(?:live|test)_)([A-Za-z0-9_-]*?)([A-Za-z0-9_-]{3})(?![A-Za-z0-9_-])/g;
const JWT_TEXT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const TOKEN_PAIR_TEXT = /((?:__session|__refresh|__clerk_db_jwt|__clerk_handshake|__clerk_handshake_nonce)(?:_[A-Za-z0-9_-]+)?(?:=|\\?"\s*:\s*\\?"))([^;,"\\\s&]+)/g;
const MIN_SECRET = 8;

/** Clerk's `maskSecretKey`: a string that is a secret key keeps its last 3 characters. */
function maskSecretKey(value) {
  return typeof value === 'string' ? value.replace(/^(sk_(live|test)_)(.+?)(.{3})$/, '$1*********$4') : value;
}

/** Clerk's `redactSensitive`. */
function redactSensitive(value, key) {
  if (key && SENSITIVE_KEYS.has(key) && typeof value === 'string') return value.substring(0, 7);
  if (Array.isArray(value)) return value.map((item) => redactSensitive(item));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSensitive(v, k)]));
  }
  return maskSecretKey(value);
}

/** Clerk's `logFormatter` for one entry (the arguments of one `debug()` call). */
export function formatEntry(entry) {
  return entry.map((part) => (typeof part === 'string' ? maskSecretKey(part) : JSON.stringify(redactSensitive(part), null, 2))).join(', ');
}

/** What a secret is replaced with: a secret key keeps its last 3 characters, anything else its first 7. */
function redacted(value) {
  return /^sk_(live|test)_/.test(value) ? maskSecretKey(value) : `${value.slice(0, 7)}…`;
}

/**
 * Removes what must never be printed from formatted text.
 * @param {string} text
 * @param {Iterable<string>} secrets exact values to cut wherever they appear
 */
export function scrub(text, secrets) {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= MIN_SECRET) out = out.split(secret).join(redacted(secret));
    // As it appears inside JSON text (escaped once or twice).
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret && escaped.length >= MIN_SECRET) out = out.split(escaped).join(redacted(secret));
  }
  return out
    .replace(SECRET_KEY_TEXT, '$1*********$3')
    .replace(JWT_TEXT, (jwt) => `${jwt.slice(0, 7)}…`)
    .replace(TOKEN_PAIR_TEXT, (_, name, value) => `${name}${value.slice(0, 7)}${value.length > 7 ? '…' : ''}`);
}

/**
 * The sensitive values of one request: its token cookies, Authorization credentials and handshake
 * query parameters, and the secret options.
 * @param {{url: string, headers: Record<string, string>}} snapshot
 * @param {Record<string, any>} options
 */
export function secretsOf(snapshot, options) {
  /** @type {Set<string>} */
  const secrets = new Set();
  const add = (value) => { if (typeof value === 'string' && value.length >= MIN_SECRET) secrets.add(value); };
  for (const key of ['secretKey', 'jwtKey', 'machineSecretKey', 'encryptionKey']) add(options[key]);
  const env = /** @type {any} */ (globalThis).process?.env ?? {};
  for (const name of ['CLERK_SECRET_KEY', 'CLERK_ENCRYPTION_KEY', 'CLERK_MACHINE_SECRET_KEY', 'CLERK_JWT_KEY']) add(env[name]);
  const authorization = snapshot.headers.authorization;
  if (authorization) {
    add(authorization);
    add(authorization.replace(/^\s*\S+\s+/, '').trim());
  }
  for (const part of (snapshot.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && TOKEN_COOKIE.test(part.slice(0, eq).trim())) add(part.slice(eq + 1).trim());
  }
  try {
    for (const [name, value] of new URL(snapshot.url).searchParams) if (TOKEN_COOKIE.test(name)) add(value);
  } catch {
    // Not a URL: nothing to collect.
  }
  return secrets;
}

/** The Next.js version, when the runtime tells it. */
function nextVersion() {
  return /** @type {any} */ (globalThis).process?.env?.__NEXT_VERSION || 'unknown';
}

/**
 * A per-request debug logger: entries are collected only once enabled and printed together by
 * `commit()` (each line indented 2 spaces, every entry scrubbed).
 * @param {string} name
 * @param {{log?: (line: string) => void}} [sink] where lines go (default `console.log`)
 */
export function createDebugLogger(name, sink = {}) {
  /** @type {unknown[][]} */
  const entries = [];
  /** @type {Set<string>} */
  const secrets = new Set();
  let enabled = false;
  const log = sink.log ?? ((line) => console.log(line));
  return {
    enable() { enabled = true; },
    get enabled() { return enabled; },
    /** @param {Iterable<string>} values */
    addSecrets(values) { for (const value of values) secrets.add(value); },
    /** @param {...unknown} args a label and values; a function value is called only when enabled */
    debug(...args) {
      if (enabled) entries.push(args.map((arg) => (typeof arg === 'function' ? arg() : arg)));
    },
    commit() {
      if (!enabled) return;
      enabled = false;
      log(`[clerk debug start: ${name}]`);
      for (const entry of entries) {
        let output;
        try {
          output = scrub(formatEntry(entry), secrets);
        } catch {
          output = '(unprintable entry)';
        }
        log(output.split('\n').map((line) => `  ${line}`).join('\n'));
      }
      log(`[clerk debug end: ${name}] (portcullis=${VERSION},next=${nextVersion()},timestamp=${Math.round(Date.now() / 1000)})`);
      entries.length = 0;
    },
  };
}

/**
 * Clerk's `clerkRequest.toJSON()`: the request as the debug log shows it.
 * @param {{method: string, headers: Record<string, string>}} snapshot
 * @param {string} clerkUrl
 */
export function requestForLog(snapshot, clerkUrl) {
  const headers = new Headers(snapshot.headers);
  /** @type {Record<string, string>} */
  const cookies = {};
  for (const part of (snapshot.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1) cookies[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return {
    url: new URL(clerkUrl).href,
    method: snapshot.method,
    headers: JSON.stringify(Object.fromEntries(headers)),
    clerkUrl: String(clerkUrl),
    cookies: JSON.stringify(cookies),
  };
}
