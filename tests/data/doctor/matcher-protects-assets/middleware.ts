import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server';

const isPublicRoute = createRouteMatcher(['/', '/sign-in', '/sign-in/(.*)', '/sign-up', '/sign-up/(.*)']);

export default clerkMiddleware(async (auth, req) => {
  if (!isPublicRoute(req)) await auth.protect();
});

// Meant to "skip the API"; sends every static file through auth instead, and skips the API.
export const config = { matcher: '/((?!api).*)' };
