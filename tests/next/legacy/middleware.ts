// Clerk's legacy authMiddleware (v4/v5 API), served over HTTP: run.mjs builds app15 (Next 15, edge)
// a second time as "app15-legacy" with this file as its middleware.ts; suite-legacy.mjs tests it.
// / and the webhooks are public, /api/whoami is ignored (it checks the session itself), the rest of
// /api is an API route (401 signed out); every other page redirects to sign-in when signed out.
import { authMiddleware } from 'portcullis/next';

export default authMiddleware({
  jwtKey: process.env.PORTCULLIS_TEST_JWT_KEY,
  publicRoutes: ['/', '/api/webhooks(.*)'],
  ignoredRoutes: ['/((?!api|trpc))(_next.*|.+\\.[\\w]+$)', '/api/whoami'],
  apiRoutes: ['/api/(.*)'],
});

export const config = {
  // Clerk v5's DEFAULT_CONFIG_MATCHER (a literal: Next reads config statically).
  matcher: ['/((?!.+\\.[\\w]+$|_next).*)', '/', '/(api|trpc)(.*)'],
};
