// The test apps' clerkMiddleware handler (app15/middleware.ts on the edge runtime, app16/proxy.ts on
// Node.js), as a Clerk user writes it: /admin needs the organization role org:admin, /dashboard and
// /api/admin need a signed-in session. What a refusal looks like (307 to sign-in, handshake, the
// protect-rewrite "404") is clerkMiddleware's decision, not this file's.
import { createRouteMatcher, type ClerkMiddlewareHandler } from 'portcullis/next';

export const isAdminRoute = createRouteMatcher(['/admin(.*)']);
export const isProtectedRoute = createRouteMatcher(['/dashboard(.*)', '/api/admin(.*)']);

export const protectRoutes: ClerkMiddlewareHandler = async (auth, req) => {
  if (isAdminRoute(req)) await auth.protect({ role: 'org:admin' });
  else if (isProtectedRoute(req)) await auth.protect();
};
