// Next 16: proxy.ts always runs on the Node.js runtime (Turbopack by default).
import { clerkMiddleware } from 'portcullis/next';
import { protectRoutes } from './lib/protect-routes';

// contentSecurityPolicy: {} is Clerk's default policy (asserted on every app); debug: true only here,
// so suite.mjs can check the logged block in next start's output (no secret key, no token);
// organizationSyncOptions as in app15/middleware.ts.
export default clerkMiddleware(protectRoutes, {
  jwtKey: process.env.PORTCULLIS_TEST_JWT_KEY,
  contentSecurityPolicy: {},
  debug: true,
  organizationSyncOptions: {
    organizationPatterns: ['/orgs/:slug', '/orgs/:slug/(.*)'],
    personalAccountPatterns: ['/me', '/me/(.*)'],
  },
});

export const config = {
  matcher: [
    // Clerk's recommended matcher: everything but Next internals and static files, and always APIs.
    '/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
    '/(api|trpc)(.*)',
  ],
};
