// Next 15: middleware.ts runs on the edge runtime (no runtime setting: writing 'edge' is a build error).
import { clerkMiddleware } from 'portcullis/next';
import { protectRoutes } from './lib/protect-routes';

// contentSecurityPolicy: {} is Clerk's default policy, asserted in suite.mjs on every app's responses;
// organizationSyncOptions: /orgs/:slug activates that organization, /me the personal account (the
// same in app16/proxy.ts; suite.mjs checks the activation handshakes).
export default clerkMiddleware(protectRoutes, {
  jwtKey: process.env.PORTCULLIS_TEST_JWT_KEY,
  contentSecurityPolicy: {},
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
