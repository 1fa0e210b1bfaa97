/**
 * Extracts the pathname a route matcher tests from whatever the caller has at hand.
 *
 * Why a module of its own: matchers are called once per request and benchmarked, and the obvious
 * `new URL(x).pathname` costs more than the match itself. The fast paths below return exactly what
 * the URL parser would, and fall back to it whenever they cannot be sure.
 *
 * Accepted inputs, in the order they are tried:
 * - a `NextRequest`-like object: `req.nextUrl.pathname` (what Clerk matches; never re-parsed);
 * - a `URL` (or any object with a string `pathname` and no `url`): its `pathname`;
 * - a `Request`: the path part of `req.url`; other objects with a string `url` (e.g. Node's
 *   `IncomingMessage`, whose `url` is path-only) are treated like a string;
 * - a string: an absolute URL, or a path taken relative to `http://localhost`. A string starting with
 *   `/` is always a path, so `//api/admin` (what Node's `req.url` holds for that request) stays the
 *   path `//api/admin` and is not read as the host `api`.
 * @module
 */

const BASE = 'http://localhost';

/**
 * A path the WHATWG URL parser leaves exactly as written: starts with `/`, only characters it neither
 * percent-encodes nor treats specially (no space, controls, non-ASCII, `"#<>?\`{}` or backtick), and
 * no segment starting with `.` or `%2e` (those might be dot segments, which the parser resolves).
 * Linear: every segment starts at a `/` and the class excludes `/`.
 */
const VERBATIM_PATH = /^(?:\/(?!\.|%2[eE])[!$-.0-;=@-[\]-_a-z|~]*)+$/;

/**
 * The pathname of a string: an absolute URL, or a path relative to `http://localhost`.
 * @param {string} value
 * @returns {string}
 */
export function pathnameOfString(value) {
  if (value.charCodeAt(0) === 47 /* / */) {
    if (VERBATIM_PATH.test(value)) return value;
    // Concatenate rather than resolve: `new URL('//a/b', base)` would make `a` the host.
    return new URL(BASE + value).pathname;
  }
  return new URL(value, BASE + '/').pathname;
}

/**
 * The path part of an already serialised `http:`/`https:` URL (`Request#url`): from the first `/`
 * after the authority up to `?` or `#`. Serialisation guarantees neither can occur earlier.
 * @param {string} url
 * @returns {string}
 */
function pathnameOfSerialized(url) {
  let authority;
  if (url.startsWith('https://')) authority = 8;
  else if (url.startsWith('http://')) authority = 7;
  else return new URL(url).pathname;
  const start = url.indexOf('/', authority);
  if (start === -1) return '/';
  let end = url.length;
  const query = url.indexOf('?', start);
  if (query !== -1) end = query;
  const hash = url.indexOf('#', start);
  if (hash !== -1 && hash < end) end = hash;
  return url.slice(start, end);
}

const HAS_REQUEST = typeof Request === 'function';

/**
 * The pathname to match for a request-ish input.
 * @param {string | URL | Request | {nextUrl: {pathname: string}} | {url: string}} input
 * @returns {string}
 */
export function pathnameOf(input) {
  if (typeof input === 'string') return pathnameOfString(input);
  if (input !== null && typeof input === 'object') {
    const next = /** @type {{nextUrl?: {pathname?: unknown}}} */ (input).nextUrl;
    if (next && typeof next.pathname === 'string') return next.pathname;
    if (HAS_REQUEST && input instanceof Request) return pathnameOfSerialized(input.url);
    const url = /** @type {{url?: unknown}} */ (input).url;
    if (typeof url === 'string') return pathnameOfString(url);
    const pathname = /** @type {{pathname?: unknown}} */ (input).pathname;
    if (typeof pathname === 'string') return pathname;
  }
  throw new TypeError(
    'portcullis: a route matcher takes a Request, a NextRequest, a URL or a URL/path string; got ' +
      describe(input),
  );
}

/**
 * A short description of a value for error messages.
 * @param {unknown} value
 */
export function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'a plain object';
  }
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value === 'number' ? 'the number' : `a ${typeof value}`} ${String(value)}`;
}
