/**
 * Differential test: portcullis' createRouteMatcher against Clerk's real one (`@clerk/nextjs`
 * devDependency) on a deterministic generated corpus of pattern × path pairs.
 *
 * Every answer must be equal: both `true`, both `false`, or both throwing `MalformedURLError` for
 * the same request; and at creation, Clerk throws ⇔ we throw (ours must be a `RoutePatternError`).
 * All mismatches are collected; the first 20 are shown in the failure message.
 *
 * The corpus is fixed by SEED (printed). To explore other corpora: DIFF_SEED=<n> DIFF_CASES=<n>.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { clerkCreateRouteMatcher, NextRequest } from './support/clerk.js';
import {
  caseFoldCases,
  catalogueCases,
  emptyRouteCases,
  generatedCases,
  showRoutes,
} from './support/route-corpus.js';

const SEED = process.env.DIFF_SEED ? Number(process.env.DIFF_SEED) : 0x5eed2026;
const CASES = process.env.DIFF_CASES ? Number(process.env.DIFF_CASES) : 2500;
const PATHS_PER_CASE = 8;
const SHOW = process.env.DIFF_SHOW ? Number(process.env.DIFF_SHOW) : 20;

const ours = await import('../../js/index.js');

/** Outcome of calling `fn` as a short comparable string. */
function outcome(fn) {
  try {
    const v = fn();
    return typeof v === 'boolean' ? String(v) : `non-boolean ${typeof v}: ${String(v)}`;
  } catch (e) {
    const err = /** @type {any} */ (e);
    if (err?.name === 'MalformedURLError') return 'throws MalformedURLError';
    return `throws ${err?.name}: ${String(err?.message).split('\n').pop()}`;
  }
}

/** Creates a matcher; returns { matcher } or { error }. */
function create(factory, routes) {
  try {
    return { matcher: factory(routes) };
  } catch (error) {
    return { error };
  }
}

/**
 * Runs the cases through both implementations.
 * @param {import('./support/route-corpus.js').Case[]} cases
 */
function compare(cases) {
  const counts = { pairs: 0, true: 0, false: 0, malformed: 0, refusedLists: 0, acceptedLists: 0 };
  /** @type {string[]} */
  const mismatches = [];
  for (const c of cases) {
    const theirs = create(clerkCreateRouteMatcher, c.routes);
    const mine = create(ours.createRouteMatcher, c.routes);
    if (theirs.error || mine.error) {
      counts.refusedLists += theirs.error ? 1 : 0;
      if (!theirs.error) {
        mismatches.push(
          `creation: routes ${showRoutes(c.routes)}: Clerk accepts, ours throws ${mine.error?.name}: ${mine.error?.message}`,
        );
      } else if (!mine.error) {
        mismatches.push(
          `creation: routes ${showRoutes(c.routes)}: Clerk throws (${String(theirs.error.message).split('\n').pop()}), ours accepts`,
        );
      } else if (mine.error?.name !== 'RoutePatternError') {
        mismatches.push(
          `creation: routes ${showRoutes(c.routes)}: both throw, but ours is ${mine.error?.name} (expected RoutePatternError): ${mine.error?.message}`,
        );
      }
      continue;
    }
    counts.acceptedLists++;
    for (const path of c.paths) {
      const req = { nextUrl: { pathname: path } };
      const a = outcome(() => theirs.matcher(req));
      const b = outcome(() => mine.matcher(req));
      counts.pairs++;
      if (a === 'true') counts.true++;
      else if (a === 'false') counts.false++;
      else counts.malformed++;
      if (a !== b) {
        mismatches.push(`routes ${showRoutes(c.routes)} path ${JSON.stringify(path)}: Clerk ${a}, ours ${b}`);
      }
    }
  }
  return { counts, mismatches };
}

function report(t, label, { counts, mismatches }) {
  t.diagnostic(
    `${label}: ${counts.pairs} pairs (true ${counts.true}, false ${counts.false}, ` +
      `throws MalformedURLError ${counts.malformed}); route lists accepted ${counts.acceptedLists}, ` +
      `refused by Clerk ${counts.refusedLists}; mismatches ${mismatches.length}`,
  );
  assert.equal(
    mismatches.length,
    0,
    `${mismatches.length} mismatch(es) with Clerk (${label}); first ${Math.min(SHOW, mismatches.length)}:\n  ` +
      mismatches.slice(0, SHOW).join('\n  '),
  );
}

test(`generated corpus (seed ${SEED} = 0x${SEED.toString(16)}, ${CASES} route lists × ${PATHS_PER_CASE} paths)`, (t) => {
  t.diagnostic(`seed ${SEED}`);
  const cases = generatedCases(SEED, CASES, PATHS_PER_CASE);
  const result = compare(cases);
  assert.ok(result.counts.pairs >= 10_000, `only ${result.counts.pairs} pairs compared`);
  report(t, 'generated', result);
});

test('catalogue: hand-picked patterns × hand-picked paths', (t) => {
  report(t, 'catalogue', compare(catalogueCases()));
});

test('case-insensitive matching: every BMP character with a case mapping (JS non-unicode `i`)', (t) => {
  report(t, 'casefold', compare(caseFoldCases()));
});

test('route arguments that match nothing never throw, even on malformed paths', (t) => {
  report(t, 'empty', compare(emptyRouteCases()));
});

test('every conformance vector (tests/data/route-vectors.json) agrees with Clerk', (t) => {
  const vectors = JSON.parse(readFileSync(new URL('../data/route-vectors.json', import.meta.url), 'utf8'));
  const toRoutes = (r) =>
    r === null || typeof r === 'string' ? r : r.map((x) => (typeof x === 'string' ? x : new RegExp(x.regex, x.flags)));
  const cases = vectors.matcher.map((row) => ({ source: `${row.set}${row.id}`, routes: toRoutes(row.routes), paths: [row.path] }));
  const compileCases = vectors.compileErrors.map((row) => ({ source: 'compileError', routes: [row.pattern], paths: [] }));
  report(t, 'vectors', compare([...cases, ...compileCases]));
});

test('same answers through real NextRequest objects', (t) => {
  // A NextRequest's nextUrl.pathname is what the URL parser made of the path (dot segments resolved,
  // non-ASCII encoded); both implementations receive the very same object.
  const cases = generatedCases(SEED ^ 0x9e3779b9, 150, 6);
  let pairs = 0;
  const mismatches = [];
  for (const c of cases) {
    const theirs = create(clerkCreateRouteMatcher, c.routes);
    const mine = create(ours.createRouteMatcher, c.routes);
    if (theirs.error || mine.error) continue;
    for (const path of c.paths) {
      let req;
      try {
        req = new NextRequest('http://localhost' + (path.startsWith('/') ? path : '/' + path));
      } catch {
        continue;
      }
      pairs++;
      const a = outcome(() => theirs.matcher(req));
      const b = outcome(() => mine.matcher(req));
      if (a !== b) {
        mismatches.push(
          `routes ${showRoutes(c.routes)} url path ${JSON.stringify(path)} (nextUrl.pathname ${JSON.stringify(req.nextUrl.pathname)}): Clerk ${a}, ours ${b}`,
        );
      }
    }
  }
  t.diagnostic(`NextRequest: ${pairs} pairs, mismatches ${mismatches.length}`);
  assert.ok(pairs > 500);
  assert.equal(mismatches.length, 0, mismatches.slice(0, SHOW).join('\n  '));
});

test('RegExp entries with g / y flags keep lastIndex state exactly like Clerk', () => {
  // Clerk calls re.test() on the caller's RegExp object, so a global RegExp alternates results.
  // `some()` short-circuits: a RegExp after a matching string pattern is not tested at all.
  const lists = () => [[/^\/a/g], ['/b', /\/b|\/a/g], [/a/y, '/x'], [/^\/a/gi, /^\/A/g]];
  const paths = ['/a', '/a', '/b', '/a', '/a/b', '/x', '/a', '/A', '/a', '/b', '/b', '/a'];
  const theirsLists = lists();
  const oursLists = lists();
  for (let i = 0; i < theirsLists.length; i++) {
    const a = clerkCreateRouteMatcher(theirsLists[i]);
    const b = ours.createRouteMatcher(oursLists[i]);
    const seqA = paths.map((p) => outcome(() => a({ nextUrl: { pathname: p } })));
    const seqB = paths.map((p) => outcome(() => b({ nextUrl: { pathname: p } })));
    assert.deepEqual(seqB, seqA, `routes ${showRoutes(theirsLists[i])} over ${JSON.stringify(paths)}`);
  }
});

test('function routes are called with the request, like Clerk', () => {
  const req = { nextUrl: { pathname: '/%zz' }, marker: 1 };
  const seen = [];
  const fn = (r) => {
    seen.push(r);
    return r.marker === 1;
  };
  assert.equal(ours.createRouteMatcher(fn)(req), clerkCreateRouteMatcher(fn)(req));
  assert.equal(seen[0], req);
  assert.equal(seen[1], req);
});
