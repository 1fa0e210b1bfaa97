/**
 * The token check: verifies one session token with the project's keys and options, and explains a
 * failure — expired, not yet valid (clock skew, with the amount), azp not allowed, key id not in the
 * key set (another instance), bad signature, malformed — with what to do about it.
 *
 * Why through `verifyToken`: the doctor must give the answer the middleware gives, so it runs the
 * same verifier (js/verify.js: the Rust core's parser, key selection and claim rules) with the same
 * key source in the same order (a JWKS given with --jwks, else jwtKey / CLERK_JWT_KEY, else the
 * Backend API with the secret key) and classifies by the verifier's Clerk reason codes. The token's
 * claims are decoded separately only to put numbers and names into the explanation (how many
 * seconds, which azp, which kid); nothing is trusted from that decoding. The token itself is never
 * printed.
 * @module
 */

import { TokenVerificationError } from '../errors.js';
import { verifyToken } from '../verify.js';
import { finding } from './catalog.js';

/** @typedef {import('./catalog.js').Finding} Finding */

/**
 * @typedef {object} TokenInput
 * @property {string} token
 * @property {import('./config.js').Keys} keys
 * @property {Record<string, unknown>} options middleware options (clockSkewInMs, audience, …)
 * @property {Record<string, string>} env
 * @property {{text: string, name: string} | {url: string} | null} jwks a JWKS file's text, or a URL
 * @property {number} now ms since the epoch
 */

const KEY_REASONS = new Set(['jwk-remote-failed-to-load', 'jwk-remote-invalid', 'jwk-remote-missing', 'jwk-failed-to-resolve',
  'jwk-local-invalid', 'jwk-local-missing', 'secret-key-invalid']);

/** Decodes one JWT part for the explanation only (never trusted). @param {string | undefined} part */
function peek(part) {
  try {
    const binary = atob(String(part).replace(/-/g, '+').replace(/_/g, '/'));
    const value = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

/** A short, stable hash of a JWKS text (it names the key source in the verifier registry). @param {string} text */
function hashOf(text) {
  let h = 5381;
  for (let i = 0; i < text.length; i++) h = (h * 33 + text.charCodeAt(i)) >>> 0;
  return h.toString(36);
}

/** @param {number} seconds */
function duration(seconds) {
  const s = Math.abs(Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}

/** @param {number} unix */
function iso(unix) {
  return new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The verifier options for the project, and a description of the key source.
 * @param {TokenInput} input
 */
function verifyOptionsOf(input) {
  const { keys, options, env, jwks } = input;
  /** @type {Record<string, unknown>} */
  const out = { now: () => input.now };
  for (const name of ['clockSkewInMs', 'audience']) if (options[name] !== undefined) out[name] = options[name];
  if (keys.authorizedParties) out.authorizedParties = keys.authorizedParties;
  let source = '';
  if (jwks && 'text' in jwks) {
    const text = jwks.text;
    out.jwksUrl = `https://jwks-file.doctor.invalid/${hashOf(text)}`;
    out.fetch = async () => new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
    source = `the key set in ${jwks.name}`;
  } else if (jwks) {
    out.jwksUrl = jwks.url;
    source = `the key set at ${jwks.url}`;
  } else if (keys.jwtKey) {
    out.jwtKey = keys.jwtKey;
    source = 'CLERK_JWT_KEY';
  } else if (keys.secretKey) {
    out.secretKey = keys.secretKey;
    if (env.CLERK_API_URL) out.apiUrl = env.CLERK_API_URL;
    source = "the instance's key set from Clerk's Backend API (fetched with CLERK_SECRET_KEY)";
  } else {
    return null;
  }
  return { options: out, source };
}

/**
 * Verifies the token and explains the outcome.
 * @param {TokenInput} input
 * @returns {Promise<Finding[]>}
 */
export async function tokenFindings(input) {
  const token = input.token.trim().replace(/^Bearer\s+/i, '');
  if (/^(mt|oat|ak)_/.test(token)) {
    return [finding('token-malformed', 'This is a machine token (M2M, OAuth or API key), not a session token: it is not a JWT signed by your instance and is verified by the Backend API, not here.', 'Pass a session token (the __session cookie, or `await getToken()` in the browser).', '--token')];
  }
  const [rawHeader, rawPayload] = token.split('.');
  const header = peek(rawHeader);
  const claims = peek(rawPayload);
  const setup = verifyOptionsOf(input);
  if (setup === null) {
    return [finding('token-keys-unavailable', 'There is no key to verify the token with: no --jwks, no CLERK_JWT_KEY (jwtKey) and no usable CLERK_SECRET_KEY.',
      'Pass --jwks <file-or-url> (your instance\'s https://<frontend-api>/.well-known/jwks.json), or set CLERK_JWT_KEY to the PEM public key from Clerk Dashboard → API keys.', '--token')];
  }
  const now = Math.floor(input.now / 1000);
  const skewMs = typeof input.options.clockSkewInMs === 'number' ? input.options.clockSkewInMs : 5000;
  try {
    const payload = await verifyToken(token, setup.options);
    /** @type {Finding[]} */
    const out = [finding('token-valid', `The token verifies with ${setup.source}: user ${payload.sub}, session ${payload.sid ?? '(none)'}, azp ${payload.azp ?? '(none)'}, expires in ${duration(Number(payload.exp) - now)} (${iso(Number(payload.exp))}).`, 'Nothing to fix.', '--token')];
    const fapi = input.keys.frontendApi;
    if (fapi && typeof payload.iss === 'string' && payload.iss.replace(/^https?:\/\//, '').replace(/\/$/, '') !== fapi) {
      out.push(finding('token-issuer-mismatch', `The token was issued by ${payload.iss}, but the publishable key's Frontend API is https://${fapi}: the token and the publishable key belong to different instances (or a proxy/custom domain is configured differently).`,
        'Use the keys of the instance that issued the token (Clerk Dashboard → API keys), or sign in again on this app to get one of its tokens.', '--token'));
    }
    return out;
  } catch (error) {
    const e = /** @type {any} */ (error);
    if (e?.name === 'ConfigurationError') {
      return [finding('options-invalid', `The token options are refused: ${e.message}`, 'Fix the option named in the message.', e.option || 'options')];
    }
    if (!(e instanceof TokenVerificationError)) throw error;
    return [explain(e, { header, claims, now, skewMs, source: setup.source, keys: input.keys })];
  }
}

/**
 * A verification failure in plain words.
 * @param {TokenVerificationError} e
 * @param {{header: any, claims: any, now: number, skewMs: number, source: string, keys: import('./config.js').Keys}} c
 * @returns {Finding}
 */
function explain(e, { header, claims, now, skewMs, source, keys }) {
  const from = typeof claims.iss === 'string' ? ` (issued by ${claims.iss})` : '';
  switch (e.reason) {
    case 'token-invalid':
      return finding('token-malformed', `The token is not a session token: ${e.message}`, 'Pass the whole JWT (three base64url parts separated by dots), e.g. the value of the __session cookie or of `await getToken()`, without quotes.', '--token');
    case 'token-expired': {
      const ago = now - Number(claims.exp);
      const life = Number(claims.exp) - Number(claims.iat);
      const short = Number.isFinite(life) && life <= 120;
      return finding('token-expired', `The token expired ${duration(ago)} ago (exp ${iso(Number(claims.exp))}, now ${iso(now)}${short ? `; it was valid for only ${duration(life)}` : ''}).${short ? ' Clerk session tokens are short-lived and the browser refreshes them about every minute, so a copied token expires almost at once.' : ''} If fresh tokens are refused as expired, this machine's clock is ahead; the middleware then answers with handshake redirects until __clerk_redirect_count stops them and the visitor is signed out.`,
        short ? 'Copy a fresh token (or pass --now to check it as of another time). If fresh tokens fail, sync this machine\'s clock (NTP: `timedatectl set-ntp true`; WSL2: `sudo hwclock -s`).' : 'Sign in again to get a new token; check that this machine\'s clock is right.', '--token');
    }
    case 'token-not-active-yet':
    case 'token-iat-in-the-future': {
      const claim = e.reason === 'token-not-active-yet' ? 'nbf' : 'iat';
      const ahead = Number(claims[claim]) - now;
      return finding('token-clock-skew', `The token is not valid yet: its ${claim} is ${duration(ahead)} ahead of this machine's clock (${iso(Number(claims[claim]))} vs ${iso(now)}), more than the allowed skew of ${duration(skewMs / 1000)}. The clocks disagree: usually the machine running the middleware is behind (VMs, WSL2 and containers after sleep), since Clerk's servers keep accurate time. The middleware answers with handshake redirects until __clerk_redirect_count stops them, then treats the visitor as signed out.`,
        `Sync this machine's clock (NTP: \`timedatectl set-ntp true\`; WSL2: \`sudo hwclock -s\`). As a stopgap, allow more skew: clockSkewInMs: ${Math.ceil(ahead + 5) * 1000}.`, '--token');
    }
    case 'token-invalid-authorized-parties': {
      const allowed = keys.authorizedParties?.join(', ') ?? '(none)';
      return finding('token-azp-not-allowed', `The token's azp is ${claims.azp === undefined ? 'missing' : JSON.stringify(claims.azp)}, and authorizedParties allows only ${allowed}. azp is the origin of the page that requested the token, so a site that is not in the list cannot use it.`,
        claims.azp ? `If ${claims.azp} is your app, add it to authorizedParties (an origin: scheme://host[:port], no trailing slash).` : 'Use a session token issued to a browser (it carries azp), or do not require authorizedParties for this caller.', '--token');
    }
    case 'jwk-kid-mismatch':
      return finding('token-wrong-instance', `The token's key id ${JSON.stringify(header.kid ?? null)} is not in ${source}${from}: it was signed by another Clerk instance (development vs production, or another app), so this configuration can never verify it.`,
        `Use the keys of the instance that issued the token${keys.frontendApi ? ` (this publishable key is for ${keys.frontendApi})` : ''}, or sign in on this app to get one of its tokens. After switching keys locally, clear the site's cookies.`, '--token');
    case 'token-invalid-signature':
      return finding('token-signature-invalid', `The token's signature does not verify with ${source}${from}. Either the token was signed by another instance's key${source === 'CLERK_JWT_KEY' ? ' (a PEM key accepts any kid, so a wrong instance shows up here)' : ''}, or it was altered.`,
        source === 'CLERK_JWT_KEY' ? 'Check that CLERK_JWT_KEY is the PEM public key of the same instance as the publishable key (Clerk Dashboard → API keys).' : 'Use a token from this instance; never edit a token.', '--token');
    default:
      if (KEY_REASONS.has(e.reason)) {
        return finding('token-keys-unavailable', `The keys to verify the token could not be loaded from ${source} (${e.reason}): ${e.message}`,
          e.reason === 'secret-key-invalid' ? 'Copy CLERK_SECRET_KEY again from Clerk Dashboard → API keys.' : 'Check the key source (network access to the JWKS, the --jwks file, CLERK_JWT_KEY), or pass --jwks with your instance\'s /.well-known/jwks.json.', '--token');
      }
      return finding('token-rejected', `The token is refused (${e.reason}): ${e.message}`, 'Use a session token of this instance; see the reason code in the README (Session-token verification).', '--token');
  }
}
