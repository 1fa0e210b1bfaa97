// The clerkMiddleware options both test apps share (app15/middleware.ts, app16/proxy.ts):
// contentSecurityPolicy: {} is Clerk's default policy, asserted in suite.mjs on every app's responses;
// organizationSyncOptions: /orgs/:slug activates that organization, /me the personal account
// (suite.mjs checks the activation handshakes).
export const middlewareOptions = {
  jwtKey: process.env.PORTCULLIS_TEST_JWT_KEY,
  contentSecurityPolicy: {},
  organizationSyncOptions: {
    organizationPatterns: ['/orgs/:slug', '/orgs/:slug/(.*)'],
    personalAccountPatterns: ['/me', '/me/(.*)'],
  },
};
