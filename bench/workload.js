/**
 * The benchmark workload: 8 realistic protected-route patterns and a mix of request paths (some
 * matching, some not, some needing percent-decoding or slash collapsing).
 * @module
 */

/** A typical app's protected routes, in the forms Clerk's docs use. */
export const PATTERNS = [
  '/dashboard(.*)',
  '/settings/:path*',
  '/api/admin(.*)',
  '/api/trpc/(.*)',
  '/orgs/:slug/(.*)',
  '/account',
  '/billing/:id',
  '/api/users/:id(\\d+)',
];

/** Request paths (valid URL paths: they go through `new NextRequest(url)` unchanged). */
export const REQUEST_PATHS = [
  '/',
  '/dashboard',
  '/dashboard/projects/42/settings',
  '/pricing',
  '/blog/2026/11/hello-world',
  '/api/admin/users',
  '/api/%61dmin/users',
  '/api//admin',
  '/api/public/health',
  '/settings',
  '/settings/profile/edit',
  '/orgs/acme/members',
  '/_next/static/chunks/main-1a2b3c.js',
  '/favicon.ico',
  '/api/users/123',
  '/api/users/me',
  '/account/',
  '/caf%C3%A9/menu',
  '/docs/getting-started/installation',
  '/billing/inv_123',
];
