/**
 * The demo `npm start` runs: a route matcher like a real app's, applied to sample requests, including
 * the tricky paths that bypassed Clerk's matcher before 7.2.1 (encoded letters, doubled slashes).
 * It prints one row per request: the path as received, the path the matcher saw, and the verdict.
 * @module
 */

import { MalformedURLError, createRouteMatcher, normalizePath } from './index.js';

const PROTECTED_ROUTES = [
  '/dashboard(.*)',
  '/api/admin(.*)',
  '/orgs/:slug/settings(.*)',
  '/account/:path*',
  '/billing',
];

const SAMPLE_PATHS = [
  '/',
  '/pricing',
  '/dashboard',
  '/dashboard/projects/42',
  '/Dashboard/',
  '/dashboardx',
  '/api/admin/users',
  '/api/%61dmin',
  '//api/admin',
  '/api//admin/users',
  '/api%2Fadmin',
  '/api/%2561dmin',
  '/api/public',
  '/orgs/acme/settings/members',
  '/orgs/acme/projects',
  '/account',
  '/accounts',
  '/billing/',
  '/billing?tab=invoices',
  '/%zz',
];

const isProtected = createRouteMatcher(PROTECTED_ROUTES);

/** @param {string} path */
function row(path) {
  // Build a real Request, as a server would hand it over (query string included).
  const request = new Request(`http://localhost${path}`);
  let seen;
  try {
    seen = normalizePath(new URL(request.url).pathname);
  } catch {
    seen = '(malformed)';
  }
  let verdict;
  try {
    verdict = isProtected(request) ? 'protected' : 'public';
  } catch (error) {
    if (!(error instanceof MalformedURLError)) throw error;
    verdict = `${error.statusCode} Bad Request`;
  }
  return [path, seen, verdict];
}

const header = ['request path', 'matched as', 'result'];
const rows = SAMPLE_PATHS.map(row);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (/** @type {string[]} */ cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();

console.log('portcullis demo: createRouteMatcher([');
for (const route of PROTECTED_ROUTES) console.log(`  ${JSON.stringify(route)},`);
console.log('])\n');
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of rows) console.log(line(r));
