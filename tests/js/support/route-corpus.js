/**
 * Deterministic generator of `createRouteMatcher` inputs for the differential test
 * (tests/js/differential.test.js): route lists (path-to-regexp 6 patterns and RegExp objects) and
 * request pathnames, built from a seeded PRNG so every run sees exactly the same corpus.
 *
 * Two sources of cases:
 * - {@link catalogueCases}: hand-picked patterns × hand-picked paths (full cross product), covering
 *   every construct and encoding trap named in shared/CLERK-BEHAVIOUR.md §1.
 * - {@link generatedCases}: random patterns assembled from parts that each know how to produce a
 *   matching path fragment, so a good share of answers is `true`; each path is then perturbed
 *   (percent-encoding, double slashes, case, dot segments, malformed escapes, unicode...).
 * @module
 */

import { mulberry32 } from './prng.js';

/**
 * Seeded choices for the test corpus.
 * @param {number} seed
 */
export function makeRng(seed) {
  const next = mulberry32(seed);
  const rng = {
    next,
    /** integer in [lo, hi] */
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    /** @template T @param {readonly T[]} xs @returns {T} */
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
    /** pick from [[weight, value], ...] */
    weighted(pairs) {
      let total = 0;
      for (const [w] of pairs) total += w;
      let r = next() * total;
      for (const [w, v] of pairs) {
        r -= w;
        if (r < 0) return v;
      }
      return pairs[pairs.length - 1][1];
    },
  };
  return rng;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

/** Literal path segments used in patterns (raw text; special pattern chars are escaped separately). */
const LITERALS = [
  'api', 'admin', 'administrator', 'foo', 'bar', 'dashboard', 'users', 'orgs', 'trpc', '_next',
  'files', 'sign-in', 'sign-up', 'v1', 'settings', 'x', 'a', 'b', 'static', 'favicon.ico', 'img.png',
  'hello.js', 'test', 'protected', 'public', 'webhooks', '.well-known', 'my-page', 'org_foo',
  'ADMIN', 'Api', 'DashBoard', '$special', 'a.b', 'x-y', '~user', '@me', 'a,b', 'a;b', 'a=b', 'a&b',
  'caf\u00e9', 'CAF\u00c9', '\u65e5\u672c', 'stra\u00dfe', 'STRASSE', '\u017fun', 'sun', '\u212aelvin', 'kelvin',
  '\u0130stanbul', 'istanbul', '\u03c3\u03bf\u03c6\u03af\u03b1', '\u03a3\u039f\u03a6\u0399\u0391', '\u03c2', '\u03a3',
  '\u{1f4a9}', 'a b', 'a%b', '%61dmin', '\u00b5', '\u0345', '\u0131', '\u{10400}', '\u01c5', '\u13a0', '\u10d0',
  '\u00ff', '\u1e9e', '\ufb00',
];

/** Segment values used when sampling a `:param`. */
const SEGMENTS = [
  '123', '42', '0', 'abc', 'org_foo', 'my-org', 'x', 'ABC', 'a.b', 'file.txt', 'hello.js', '_next',
  'api', 'admin', 'users', 'caf\u00e9', '\u65e5\u672c', '\u00df', 'a-b', 'a-to-b', 'v2', 'deadbeef',
  'A1', 'index.html', 'x.y.z', 'foo@bar', '~', 'a b', '\u{1f4a9}', 'settings',
];

/** Letters used for sibling-prefix and random noise. */
const NOISE = ['x', 'xyz', 'istrator', 's', '-1', '_', '.js', '.json', 'ADMIN', '1', 'e', '\u00e9'];

/**
 * Bodies for `(regex)` groups, each with a sampler producing (usually) matching text.
 * Inside a path-to-regexp PATTERN token every nested `(` must be followed by `?`.
 * @type {Array<[string, (r: ReturnType<typeof makeRng>) => string]>}
 */
const REGEX_BODIES = [
  ['\\d+', (r) => String(r.int(0, 9999))],
  ['\\d{2,4}', (r) => String(r.int(5, 99999))],
  ['\\w+', (r) => r.pick(['abc', 'a_1', 'X', 'caf\u00e9', 'x-y'])],
  ['[a-z]+', (r) => r.pick(['abc', 'ABC', 'z', 'a1'])],
  ['[A-Z]+', (r) => r.pick(['abc', 'ABC', 'q'])],
  ['[^/]+', (r) => r.pick(SEGMENTS)],
  ['[\\w-]+', (r) => r.pick(['a-b', 'abc', 'x--', '-'])],
  ['api|trpc', (r) => r.pick(['api', 'trpc', 'TRPC', 'apix'])],
  ['.*', (r) => r.pick(['', 'x', 'a/b', 'foo/bar.js', '/'])],
  ['.+', (r) => r.pick(['', 'x', 'a/b'])],
  ['(?:foo|bar)\\d*', (r) => r.pick(['foo', 'bar12', 'baz'])],
  ['(?!admin)[^/]+', (r) => r.pick(['admin', 'user', 'administrator', 'ADMIN'])],
  ['(?=v)\\w+', (r) => r.pick(['v1', 'V2', 'x1'])],
  ['[0-9a-f]{8}', (r) => r.pick(['deadbeef', 'DEADBEEF', 'deadbee', '0123456789'])],
  ['\\w+\\.[a-z]{2,3}', (r) => r.pick(['x.js', 'a.json', 'b.c'])],
  ['[^.]+', (r) => r.pick(['abc', 'a.b', 'x/y'])],
  ['\\D+', (r) => r.pick(['abc', '1', 'a1'])],
  ['\u00e9|\u00df|\u03c3', (r) => r.pick(['\u00e9', '\u00c9', '\u00df', 'SS', '\u03a3', '\u03c2'])],
  ['[\\u00e0-\\u00ff]+', (r) => r.pick(['\u00e9\u00e0', '\u00c9', 'e'])],
  ['\\s*', (r) => r.pick(['', ' ', '\t'])],
  ['\\.well-known', (r) => r.pick(['.well-known', 'xwell-known'])],
  ['[\\s\\S]*', (r) => r.pick(['', 'a/b/c', '%2F'])],
  ['[^]*', (r) => r.pick(['', 'a/b'])],
  ['.*?', (r) => r.pick(['', 'ab'])],
  ['x|', (r) => r.pick(['', 'x', 'y'])],
  ['(?:a|ab)(?:c|bcd)', (r) => r.pick(['ac', 'abcd', 'abc'])],
  ['\\x41\\u0042', (r) => r.pick(['AB', 'ab'])],
  ['a{0}b', (r) => r.pick(['b', 'ab'])],
  ['\\bx\\B', (r) => r.pick(['xy', 'x'])],
  ['a$', (r) => r.pick(['a', 'a/'])],
  ['^a', (r) => r.pick(['a'])],
  ['.+\\.[\\w]+$', (r) => r.pick(['f.js', 'a/b.png', 'nope'])],
  ['_next.*|.+\\.[\\w]+$', (r) => r.pick(['_next/x', 'a.png', 'x'])],
  ['[^\\d/]+', (r) => r.pick(['abc', '1'])],
  ['\\/', () => '/'],
  ['(?<=x)y|y', (r) => r.pick(['y', 'xy'])],
  ['(?<!x)y', (r) => r.pick(['y'])],
  ['(?<n>\\d+)', (r) => String(r.int(0, 99))],
  ['[a-z]{2}(?:-[A-Z]{2})?', (r) => r.pick(['en', 'en-US', 'en-us', 'e'])],
  ['p{L}', (r) => r.pick(['p{L}', 'pL'])],
  ['\\p', () => 'p'],
  ['[.]', (r) => r.pick(['.', 'x'])],
  ['\\u017f|\\u212a', (r) => r.pick(['s', 'S', 'k', 'K', '\u017f', '\u212a'])],
  ['\\0', (r) => r.pick(['\0', '0'])],
  ['[\\b]', () => '\b'],
  ['a{2,}?', (r) => r.pick(['aa', 'aaaa', 'a'])],
  ['a{,2}', (r) => r.pick(['a{,2}', 'aa'])],
  ['(?:)', () => ''],
  ['\\cJ', () => '\n'],
  ['.', (r) => r.pick(['a', '\u{1f4a9}', '\u00e9', '\n'])],
  ['..', (r) => r.pick(['ab', '\u{1f4a9}', 'a'])],
  ['[\\ud83d\\udca9]{2}', (r) => r.pick(['\u{1f4a9}', '\u{1f4aa}'])],
  ['[^\\ud83d]+', (r) => r.pick(['\u{1f4a9}', 'abc'])],
  ['\\s+', (r) => r.pick([' ', '\u00a0', '\ufeff', '\u1680', '\u200b', '\u3000', '\u180e', '\u2028'])],
  ['[\\u0170-\\u017f]', (r) => r.pick(['\u00ff', '\u017f', 's', '\u0178'])],
  ['[\\d-z]+', (r) => r.pick(['-', '5z', 'k'])],
  ['\\u{41}', (r) => r.pick(['A', 'u'.repeat(41)])],
  ['(?=a)*b', (r) => r.pick(['b', 'ab'])],
  ['[\\w\\u00b5]+', (r) => r.pick(['\u00b5', '\u039c', '\u03bc'])],
];

/** Full patterns that are interesting as a whole (from Clerk docs, tests and issue threads). */
const WHOLE_PATTERNS = [
  '/((?!.+\\.[\\w]+$|_next).*)', '/', '/(api|trpc)(.*)', '/((?!api|trpc))(_next.*|.+\\.[\\w]+$)',
  '/(.*)', '/:path*', '(.*)', '/api/admin(.*)', '/admin(.*)', '/dashboard(.*)', '/dashboard/:path*',
  '/sign-in(.*)', '/sign-up(.*)', '/api/webhooks(.*)', '/(.*).ts', '/(.*).js', '/test/hello.ts',
  '/orgs/:id', '/orgs/:slug/(.*)', '/files/:name.:ext', '/:a-:b', '/:from-to-:to', '/api/:version(v\\d+)/:rest*',
  '/blog/:slug?', '/shop{/:category}?/items', '/user/:id(\\d+)', '/:locale(en|fr)?/about', '/a/:b+/c',
  '{/:org}?/settings', '/\\(paren\\)', '/file\\.txt', '/x\\*', '/\\:notparam', '/caf\u00e9', '/\u00df',
  '/\u03c3', '/K', '/i', '/s', '/admin/', '/admin//', '', '/foo\\', '/(a))', '/foo)', '/{}', '{}',
  '/(a(?<n>b))', '/((?!a)b)', '/(\\d+)(\\w+)', '/(a(?=b)).*', '/:a{-:b}?', '/{:a}?', '{/:a}*', '{/:a}+',
  '/v:version', '/:id@:host', '/a{b}c', '/{a}{b}', '/:x.json', '/:x?.json', '/api/:x*.json',
  '/:a((?<n>\\d+))+', '/:a((?<n>x))/:b((?<n>y))', '{/((?<n>\\d+))}*', '/((?<n>a)|(?<n>b))', '/(.)', '/(..)',
  '/([\u{1f600}-\u{1f602}])', '/\u00b5', '/\u0131', '/\u{10400}', '/(\\s+)', '/((?<=a)*)', '/(a{2,1})', '/(\\k<n>)',
  '/api/admin', '/%61dmin', '/api%2Fadmin', '/a%2Fb(.*)', '/%zz', '/%', '/\u65e5\u672c(.*)',
];

/** Pattern fragments that make path-to-regexp (and so Clerk) refuse the pattern. */
const BAD_FRAGMENTS = [
  '*', '/*', ':', '(?x)', '((a))', '(a', '()', '}', '{', '?', '+', '(?:a)', '(.*)(', '{{a}}', ':\u00e9',
];

/** Paths for the catalogue cross product. */
const CATALOGUE_PATHS = [
  '/', '//', '', '/foo', '/foo/', '/foo//', '/FOO', '/foo/bar', '/foo/bar/baz', '/bar', '/foobar',
  '/admin', '/administrator', '/ADMIN', '/admin/', '/admin/x', '/api', '/api/', '/api/admin',
  '/api/admin/users', '/api/%61dmin/users', '/api/a%64min', '/api/adm%69n/users', '/api/%2561dmin/users',
  '/api%2Fadmin/users', '/api%2fadmin', '/api/admin%3Fusers', '/api/admin%23section', '/api/admin?x',
  '/api/admin#x', '/api/%zz/users', '/%', '/%2', '/%C3', '/%ED%A0%80', '/%C0%AF', '/%FF', '/%E6%97',
  '/public/%2E%2E/api/admin', '/public/../api/admin', '/./api/admin', '/api/./admin', '/%2e/admin',
  '/api/admin/%E6%97%A5%E6%9C%AC', '/api/admin/%F0%9F%92%A9', '/api/admin%5Cfoo', '/api/admin%00',
  '/api/admin%00/users', '//api/admin/users', '///api/admin', '/api//admin', '/api/admin//users',
  '/other//api/admin', '/hello.js', '/test/hello.js', '/test/hello.ts', '/favicon.ico', '/_next',
  '/_next/test.json', '/files/api.pdf', '/imgs/img-dash.jpg', '/trpc/hello.example', '/my/$special/$pages',
  '/orgs/org_foo', '/orgs/my-org/settings', '/files/report.pdf', '/files/report', '/a-b', '/a-to-b',
  '/a-b-c', '/api/v1/x/y.json', '/api/v1', '/blog', '/blog/post', '/shop/items', '/shop/shoes/items',
  '/user/123', '/user/abc', '/en/about', '/about', '/fr/about', '/a/b/c', '/a/b/b/c', '/a/c',
  '/settings', '/acme/settings', '/(paren)', '/file.txt', '/filextxt', '/x*', '/:notparam',
  '/caf%C3%A9', '/CAF%C3%89', '/caf\u00e9', '/%C3%9F', '/SS', '/ss', '/%CF%83', '/%CF%82', '/%CE%A3',
  '/%E2%84%AA', '/k', '/K', '/%C4%B0', '/I', '/i', '/%C5%BF', '/S', '/%F0%9F%92%A9', '/%E6%97%A5%E6%9C%AC/x',
  '/%61dmin', '/%2561dmin', '/a%2Fb', '/a%2Fbc', '/%25', '/%20', '/%7E', '/a%3Bb', '/foo\\', '/(a)',
  '/ab', '/b', '/123abc', '/v2', '/x@y', '/x.json', '/.json', '/api/.json', '/api/a/b.json', '/a', '/a-',
  '/a-x', '/abc', '/{}', '/a/b', '/x%00', '/%00', '/\u0000', '/foo bar', '/foo%20bar', '/%2F', '/%2F%2F',
  '/foo%0A', '/foo%0D', '/foo%E2%80%A8', '/%C2%A0', '/%EF%BB%BF', '/%CE%BC', '/%CE%9C', '/%C3%BF', '/%F0%90%90%A8',
  '/%F0%90%90%80', '/12', '/x', '/y', '/\ud800', '/a\udc00b',
];

/** Request-path pieces used by the pure-random path generator. */
const PATH_TOKENS = [
  '/', '/', '/', 'api', 'admin', 'foo', 'bar', 'x', '.', '..', '%2e', '%2E%2E', '-', '_', '.js', '123',
  '%61', '%2F', '%2f', '%3F', '%23', '%3A', '%40', '%26', '%3D', '%2B', '%24', '%2C', '%3B', '%25',
  '%2561', '%zz', '%', '%2', '%C3', '%ED%A0%80', '%C0%AF', '%FF', '%80', '%C3%A9', '%C3%89', '%E6%97%A5',
  '%F0%9F%92%A9', '%C3%9F', '%C5%BF', '%E2%84%AA', '%C4%B0', '%CF%83', '%CF%82', '%CE%A3', '%00', '%5C',
  '%20', 'ADMIN', 'Api', '//', '\u00e9', '\\', ' ', '?', '#', 'trpc', '_next', 'favicon.ico', 'orgs',
];

/** Percent-encoded sequences that decodeURI rejects (or that are truncated). */
const MALFORMED = ['%zz', '%', '%2', '%G1', '%C3', '%ED%A0%80', '%C0%AF', '%E6%97', '%F0%9F%92', '%FF', '%80', '%%', '%C3%28'];

/** Valid encoded unicode inserted into paths. */
const UNICODE = ['%0A', '%0D', '%E2%80%A8', '%C2%A0', '%EF%BB%BF', '%CE%BC', '%C2%B5', '%C3%BF', '%C5%B8', '%F0%90%90%A8', '%C3%A9', '%C3%89', '%E6%97%A5', '%F0%9F%92%A9', '%C3%9F', '%C5%BF', '%E2%84%AA', '%C4%B0', '%CF%83', '%CF%82', '%CE%A3', '%EF%BF%BD', '%E2%80%8B', '%D0%B0'];

/** Reserved characters that decodeURI leaves encoded. */
const RESERVED = ['%2F', '%2f', '%3F', '%3f', '%23', '%3A', '%40', '%26', '%3D', '%2B', '%24', '%2C', '%3B'];

// ---------------------------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------------------------

const PARAM_NAMES = ['id', 'slug', 'path', 'a', 'b', 'x1', 'org_id', 'Name', 'rest'];

/** Escapes the characters path-to-regexp gives meaning to, so `lit` is a literal. */
function escapeLiteral(lit) {
  return lit.replace(/[\\*+?{}():]/g, '\\$&');
}

/**
 * @typedef {{ pat: string, gen: (r: ReturnType<typeof makeRng>) => string }} Part
 * `pat` is pattern text; `gen` produces a path fragment the part should (usually) match.
 */

/** @param {ReturnType<typeof makeRng>} r @param {string} mod @param {() => string} one */
function repeat(r, mod, one) {
  const n = mod === '' ? 1 : mod === '?' ? r.int(0, 1) : mod === '*' ? r.int(0, 3) : r.int(1, 3);
  let s = '';
  for (let i = 0; i < n; i++) s += one();
  return s;
}

/** @param {ReturnType<typeof makeRng>} r @returns {Part} */
function randomPart(r) {
  const mod = () => r.weighted([[6, ''], [2, '?'], [2, '*'], [2, '+']]);
  const lit = () => r.pick(LITERALS);
  const name = () => r.pick(PARAM_NAMES);
  const body = () => r.pick(REGEX_BODIES);
  const kind = r.weighted([
    [10, 'lit'], [5, 'param'], [3, 'paramRe'], [3, 'unnamedRe'], [3, 'group'], [4, 'wild'], [2, 'slashWild'],
    [3, 'compound'], [1, 'ext'], [2, 'escaped'], [1, 'trailingSlash'], [1, 'bare'],
  ]);
  switch (kind) {
    case 'lit': {
      const l = lit();
      return { pat: '/' + escapeLiteral(l), gen: () => '/' + l };
    }
    case 'param': {
      const m = mod();
      return { pat: '/:' + name() + m, gen: (g) => repeat(g, m, () => '/' + g.pick(SEGMENTS)) };
    }
    case 'paramRe': {
      const [b, s] = body();
      const m = mod();
      return { pat: '/:' + name() + '(' + b + ')' + m, gen: (g) => repeat(g, m, () => '/' + s(g)) };
    }
    case 'unnamedRe': {
      const [b, s] = body();
      const m = mod();
      return { pat: '/(' + b + ')' + m, gen: (g) => repeat(g, m, () => '/' + s(g)) };
    }
    case 'group': {
      const m = mod();
      const variant = r.int(0, 5);
      if (variant === 0) {
        const l = lit();
        return { pat: '{/' + escapeLiteral(l) + '}' + m, gen: (g) => repeat(g, m, () => '/' + l) };
      }
      if (variant === 1) return { pat: '{/:' + name() + '}' + m, gen: (g) => repeat(g, m, () => '/' + g.pick(SEGMENTS)) };
      if (variant === 2) {
        const sep = r.pick(['-', '.', '_', '~']);
        return { pat: '{' + sep + ':' + name() + '}' + m, gen: (g) => repeat(g, m, () => sep + g.pick(['a', '1', 'x-y', 'b.c'])) };
      }
      if (variant === 3) {
        const l = lit();
        return { pat: '{/' + escapeLiteral(l) + '/:' + name() + '}' + m, gen: (g) => repeat(g, m, () => '/' + l + '/' + g.pick(SEGMENTS)) };
      }
      if (variant === 4) {
        const [b, s] = body();
        return { pat: '{/(' + b + ')}' + m, gen: (g) => repeat(g, m, () => '/' + s(g)) };
      }
      return { pat: '{/' + escapeLiteral(lit()) + '-:' + name() + '.' + r.pick(['json', 'js', 'x']) + '}' + m, gen: () => '/x-1.json' };
    }
    case 'wild':
      return { pat: '(.*)', gen: (g) => g.pick(['', '', '/', '/x', '/a/b/c', 'istrator', 'x', '.js', '/%61dmin', '//x']) };
    case 'slashWild':
      return { pat: '/(.*)', gen: (g) => g.pick(['/', '/x', '/a/b', '']) };
    case 'compound': {
      const variant = r.int(0, 5);
      const a = name();
      const b = name() === a ? a + '2' : name();
      const ab = () => r.pick(['abc', '1', 'x', 'ORG']);
      if (variant === 0) return { pat: `/:${a}-:${b}`, gen: (g) => `/${g.pick(['a', 'x-y', '1'])}-${g.pick(['b', 'c-d', '2'])}` };
      if (variant === 1) return { pat: `/:${a}.:${b}`, gen: (g) => `/${g.pick(['file', 'a.b', 'x'])}.${g.pick(['pdf', 'js', 'tar.gz'])}` };
      if (variant === 2) return { pat: `/:${a}-to-:${b}`, gen: (g) => `/${g.pick(['a', 'x-to-y', 'b'])}-to-${g.pick(['c', 'd-to'])}` };
      if (variant === 3) return { pat: `/${escapeLiteral(lit())}-:${a}`, gen: () => `/x-${ab()}` };
      if (variant === 4) return { pat: `/:${a}@:${b}`, gen: (g) => `/${g.pick(['u', 'a@b'])}@${g.pick(['h', 'x.y'])}` };
      return { pat: `/v:${a}(\\d+)`, gen: (g) => `/v${g.int(0, 30)}` };
    }
    case 'ext': {
      const e = r.pick(['js', 'ts', 'json', 'png']);
      return { pat: '/(.*)\\.' + e, gen: (g) => '/' + g.pick(['a', 'b/c', '']) + '.' + e };
    }
    case 'escaped': {
      const c = r.pick(['\\.', '\\(', '\\)', '\\*', '\\+', '\\?', '\\:', '\\{', '\\}', '\\\\', '\\/', '\\-', '\\é']);
      return { pat: '/x' + c, gen: () => '/x' + c.slice(1) };
    }
    case 'trailingSlash':
      return { pat: '/', gen: () => '/' };
    default: {
      const l = lit();
      return { pat: escapeLiteral(l), gen: () => l };
    }
  }
}

/**
 * A random pattern with a sampler.
 * @param {ReturnType<typeof makeRng>} r
 * @returns {{ pattern: string, sample: (g: ReturnType<typeof makeRng>) => string }}
 */
export function randomPattern(r) {
  if (r.chance(0.12)) {
    const p = r.pick(WHOLE_PATTERNS);
    return { pattern: p, sample: (g) => samplePathFor(g, p) };
  }
  const n = r.weighted([[2, 1], [4, 2], [3, 3], [2, 4], [1, 5]]);
  const parts = [];
  for (let i = 0; i < n; i++) parts.push(randomPart(r));
  let pattern = parts.map((p) => p.pat).join('');
  if (r.chance(0.04)) {
    // A fragment Clerk refuses (most of the time: some fragments are accepted in some positions).
    const at = r.int(0, pattern.length);
    pattern = pattern.slice(0, at) + r.pick(BAD_FRAGMENTS) + pattern.slice(at);
  }
  return { pattern, sample: (g) => parts.map((p) => p.gen(g)).join('') };
}

/** Crude sampler for a whole pattern: keep literal characters, replace parameters with segments. */
function samplePathFor(g, p) {
  return (
    p
      .replace(/\(\.\*\)/g, () => g.pick(['', '/x', 'y/z']))
      .replace(/\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)[?*+]?/g, () => g.pick(['api', 'x', '1']))
      .replace(/:[A-Za-z0-9_]+[?*+]?/g, () => g.pick(SEGMENTS))
      .replace(/[{}]/g, '')
      .replace(/\\(.)/g, '$1') || '/'
  );
}

/**
 * A RegExp entry for a route list, as Clerk accepts them (used as-is, no anchoring added).
 * `g`/`y` flags are left out here: they make `.test()` stateful (see the dedicated test).
 * @param {ReturnType<typeof makeRng>} r
 */
export function randomRegExp(r) {
  return r.pick([
    /^\/foo\/.*$/, /^\/hello.*$/, /^.*\.(ts|js)$/, /admin/i, /^\/api\//, /\/users\/\d+$/, /^\/caf\u00e9/,
    /%2F/, /\\/, /\u0000/, /^\/[a-z]+$/iu, /^\/\u03c3/i, /^\/s$/iu, /^\/k$/iu, /\/$/, /^\/$/, /./s,
    /^\/api\/admin(?:\/.*)?$/, /(?:^|\/)\.{1,2}(?:\/|$)/, /^\/%[0-9a-f]{2}/i, /\?/, /#/, /^\/\p{L}+$/u,
    /^[^]*$/m, /dashboard$/m,
  ]);
}

/** Splits a path into units: `%XX` escapes, other escapes/percent signs, and single code points. */
function units(path) {
  return path.match(/%[0-9A-Fa-f]{2}|%|[\s\S]/gu) ?? [];
}

/** Percent-encodes one code point as UTF-8 with random hex case. */
function encodeCodePoint(g, ch) {
  const bytes = new TextEncoder().encode(ch);
  let s = '';
  for (const b of bytes) {
    const hex = b.toString(16).padStart(2, '0');
    s += '%' + (g.chance(0.5) ? hex.toUpperCase() : hex);
  }
  return s;
}

/** Encodes raw non-ASCII, spaces and controls the way a URL parser would (most of the time). */
function encodeLikeUrl(g, path) {
  if (g.chance(0.1)) return path; // sometimes leave raw characters in (plain-object requests allow it)
  return units(path)
    .map((u) => (u.length === 1 && /[^\x21-\x7e]/.test(u)) || u.codePointAt(0) > 0x7e ? encodeCodePoint(g, u) : u)
    .join('');
}

/**
 * Applies one random perturbation to a path.
 * @param {ReturnType<typeof makeRng>} g
 * @param {string} path
 */
function perturb(g, path) {
  const us = units(path);
  const idx = () => g.int(0, us.length);
  const slashIdx = () => {
    const s = [];
    us.forEach((u, i) => u === '/' && s.push(i));
    return s.length ? g.pick(s) : -1;
  };
  const op = g.weighted([
    [6, 'encodeChar'], [2, 'encodeSlash'], [2, 'reserved'], [2, 'doubleEncode'], [3, 'malformed'],
    [4, 'slashes'], [4, 'trailing'], [5, 'case'], [2, 'dots'], [3, 'unicode'], [2, 'special'],
    [4, 'sibling'], [2, 'truncate'], [3, 'extraSegment'], [1, 'rawQH'], [2, 'dropChar'],
  ]);
  switch (op) {
    case 'encodeChar': {
      const cand = us.map((u, i) => (u.length === 1 && u !== '/' && u !== '%' ? i : -1)).filter((i) => i >= 0);
      if (!cand.length) return path;
      const i = g.pick(cand);
      us[i] = encodeCodePoint(g, us[i]);
      return us.join('');
    }
    case 'encodeSlash': {
      const i = slashIdx();
      if (i < 0) return path;
      us[i] = g.pick(['%2F', '%2f']);
      return us.join('');
    }
    case 'reserved':
      us.splice(idx(), 0, g.pick(RESERVED));
      return us.join('');
    case 'doubleEncode': {
      const cand = us.map((u, i) => (u !== '/' ? i : -1)).filter((i) => i >= 0);
      if (!cand.length) return path;
      const i = g.pick(cand);
      us[i] = us[i].startsWith('%') && us[i].length === 3 ? '%25' + us[i].slice(1) : '%25' + encodeCodePoint(g, us[i]).slice(1);
      return us.join('');
    }
    case 'malformed':
      us.splice(idx(), 0, g.pick(MALFORMED));
      return us.join('');
    case 'slashes': {
      const i = slashIdx();
      if (i < 0) return '/' + path;
      us[i] = g.pick(['//', '///', '////']);
      return us.join('');
    }
    case 'trailing':
      return path.endsWith('/') && g.chance(0.5) ? path.slice(0, -1) : path + g.pick(['/', '//', '/', '%2F']);
    case 'case': {
      const mode = g.int(0, 2);
      if (mode === 0) return path.toUpperCase();
      if (mode === 1) return path.toLowerCase();
      return us.map((u) => (u.length === 1 && g.chance(0.4) ? (g.chance(0.5) ? u.toUpperCase() : u.toLowerCase()) : u)).join('');
    }
    case 'dots': {
      const i = slashIdx();
      const d = g.pick(['/.', '/..', '/%2e', '/%2E%2E', '/./', '/../', '/.%2e', '/...']);
      if (i < 0) return path + d;
      us.splice(i, 0, d);
      return us.join('');
    }
    case 'unicode':
      us.splice(idx(), 0, g.pick(UNICODE));
      return us.join('');
    case 'special':
      us.splice(idx(), 0, g.pick(['%00', '%5C', '%5c', '%20', '\\', '%7E', '%2E', '%41', '%7F', '%0A', '%25']));
      return us.join('');
    case 'sibling': {
      // append noise right after a literal character (turns /admin into /administrator-like paths)
      const cand = us.map((u, i) => (/^[A-Za-z0-9]$/.test(u) ? i + 1 : -1)).filter((i) => i >= 0);
      const i = cand.length ? g.pick(cand) : us.length;
      us.splice(i, 0, g.pick(NOISE));
      return us.join('');
    }
    case 'truncate':
      return us.slice(0, g.int(1, Math.max(1, us.length - 1))).join('');
    case 'extraSegment':
      return path.replace(/\/$/, '') + '/' + g.pick(['extra', 'x', 'users', '123', 'a.js', '_next']);
    case 'rawQH':
      us.splice(idx(), 0, g.pick(['?', '#', '?x=1', '#frag']));
      return us.join('');
    default: {
      if (us.length < 2) return path;
      us.splice(g.int(1, us.length - 1), 1);
      return us.join('');
    }
  }
}

/** A path unrelated to any pattern. */
function randomPath(g) {
  let s = '/';
  const n = g.int(0, 6);
  for (let i = 0; i < n; i++) s += g.pick(PATH_TOKENS);
  return s;
}

/**
 * @typedef {{ source: string, routes: unknown, paths: string[] }} Case
 * `routes` is the argument passed to both `createRouteMatcher`s.
 */

/** The hand-picked cross product (about 90 patterns × 200 paths). @returns {Case[]} */
export function catalogueCases() {
  const patterns = [...new Set([...WHOLE_PATTERNS, ...BAD_FRAGMENTS.map((f) => '/foo' + f)])];
  return patterns.map((p) => ({ source: 'catalogue', routes: [p], paths: CATALOGUE_PATHS }));
}

/**
 * Random route lists of 1–8 entries with paths derived from them.
 * @param {number} seed
 * @param {number} count number of route lists
 * @param {number} pathsPerCase
 * @returns {Case[]}
 */
export function generatedCases(seed, count, pathsPerCase) {
  const r = makeRng(seed);
  /** @type {Case[]} */
  const cases = [];
  for (let c = 0; c < count; c++) {
    const size = r.weighted([[5, 1], [4, 2], [3, 3], [2, 4], [1, 5], [1, 6], [1, 7], [1, 8]]);
    const entries = [];
    const samplers = [];
    for (let i = 0; i < size; i++) {
      if (r.chance(0.07)) {
        entries.push(randomRegExp(r));
      } else {
        const { pattern, sample } = randomPattern(r);
        entries.push(pattern);
        samplers.push(sample);
      }
    }
    // Occasionally the other accepted shapes: a bare string/RegExp, or filtered-out falsy entries.
    let routes = entries;
    const shape = r.next();
    if (shape < 0.05 && entries.length === 1) routes = entries[0];
    else if (shape < 0.07) routes = [...entries, ''];
    else if (shape < 0.08) routes = [null, ...entries];
    const paths = [];
    for (let k = 0; k < pathsPerCase; k++) {
      let p;
      if (samplers.length && r.chance(0.8)) {
        p = r.pick(samplers)(r);
        if (!p.startsWith('/') && r.chance(0.8)) p = '/' + p;
        p = encodeLikeUrl(r, p);
        const n = r.weighted([[4, 0], [4, 1], [2, 2], [1, 3]]);
        for (let j = 0; j < n; j++) p = perturb(r, p);
      } else {
        p = randomPath(r);
      }
      paths.push(p);
    }
    cases.push({ source: 'generated', routes, paths });
  }
  return cases;
}

/** Route arguments that match nothing (`''`, `null`, `[]`...), with malformed paths among the probes. @returns {Case[]} */
export function emptyRouteCases() {
  const paths = ['/', '/foo', '/%zz', '/%', '//a', '/%ED%A0%80'];
  return [
    { source: 'empty', routes: '', paths },
    { source: 'empty', routes: null, paths },
    { source: 'empty', routes: undefined, paths },
    { source: 'empty', routes: [], paths },
    { source: 'empty', routes: [''], paths },
    { source: 'empty', routes: ['', null], paths },
  ];
}

/**
 * Case-insensitivity sweep: every BMP character that has a case partner under JavaScript's
 * non-unicode `i` canonicalisation (toUpperCase, unless it maps non-ASCII to ASCII or to several
 * characters), as a one-character pattern, against each member of its class and its full
 * upper/lower-case strings (`ß` → `SS`, `İ` → `i̇`). String patterns compile with flag `i` and no `u`.
 * @returns {Case[]}
 */
export function caseFoldCases() {
  const canon = (ch) => {
    const u = ch.toUpperCase();
    if (u.length !== 1) return ch;
    if (ch.charCodeAt(0) >= 128 && u.charCodeAt(0) < 128) return ch;
    return u;
  };
  /** @type {Map<string, string[]>} */
  const classes = new Map();
  const lone = [];
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const ch = String.fromCharCode(c);
    const k = canon(ch);
    if (!classes.has(k)) classes.set(k, []);
    classes.get(k).push(ch);
    if (ch.toUpperCase() !== ch || ch.toLowerCase() !== ch) lone.push(ch);
  }
  const special = new Set('\\*+?{}():/#%'.split(''));
  const enc = (s) => '/' + encodeURIComponent(s);
  /** @type {Case[]} */
  const cases = [];
  const seen = new Set();
  for (const ch of lone) {
    const cls = classes.get(canon(ch)) ?? [ch];
    if (special.has(ch) || seen.has(ch)) continue;
    seen.add(ch);
    const paths = new Set([...cls, ch.toUpperCase(), ch.toLowerCase()].map(enc));
    cases.push({ source: 'casefold', routes: ['/' + ch], paths: [...paths] });
  }
  for (const [, cls] of classes) {
    if (cls.length < 2) continue;
    for (const ch of cls) {
      if (seen.has(ch) || special.has(ch)) continue;
      seen.add(ch);
      cases.push({ source: 'casefold', routes: ['/' + ch], paths: cls.map(enc) });
    }
  }
  return cases;
}

/** Renders a route argument for messages (RegExp shown as /src/flags). */
export function showRoutes(routes) {
  const one = (x) => (x instanceof RegExp ? String(x) : JSON.stringify(x));
  if (Array.isArray(routes)) return '[' + routes.map(one).join(', ') + ']';
  return routes === undefined ? 'undefined' : one(routes);
}
