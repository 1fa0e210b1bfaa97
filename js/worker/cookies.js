/**
 * Cookie reading and writing, the way Clerk's code does it.
 *
 * Reading follows the npm `cookie` package Clerk uses: pairs split on `;`, the first occurrence of a
 * name wins, values are trimmed, unquoted and percent-decoded (kept raw when decoding fails), so an
 * encoded `;` or `=` never creates a new cookie.
 * @module
 */

/**
 * @param {string | null} header the Cookie request header
 * @returns {Map<string, string>}
 */
export function parseCookies(header) {
  /** @type {Map<string, string>} */
  const out = new Map();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name === '' || out.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (value.includes('%')) {
      try {
        value = decodeURIComponent(value);
      } catch {
        // keep the raw value, as `cookie` does
      }
    }
    out.set(name, value);
  }
  return out;
}

/**
 * A Set-Cookie header value.
 * @param {string} name
 * @param {string} value
 * @param {{path?: string, maxAge?: number, httpOnly?: boolean, secure?: boolean, sameSite?: 'Lax' | 'Strict' | 'None'}} [options]
 */
export function serializeCookie(name, value, { path = '/', maxAge, httpOnly = false, secure = false, sameSite = 'Lax' } = {}) {
  let out = `${name}=${value}; Path=${path}`;
  if (maxAge !== undefined) out += `; Max-Age=${Math.floor(maxAge)}`;
  if (httpOnly) out += '; HttpOnly';
  if (secure) out += '; Secure';
  out += `; SameSite=${sameSite}`;
  return out;
}
