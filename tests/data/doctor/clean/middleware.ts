// Clerk's documented shape, written so that the doctor has nothing to say: public pages listed with
// segment-bound patterns, everything else protected, Clerk's recommended matcher.
import { clerkMiddleware, createRouteMatcher } from 'portcullis/next';

const isPublicRoute = createRouteMatcher([
  '/',
  '/sign-in',
  '/sign-in/(.*)',
  '/sign-up',
  '/sign-up/(.*)',
  '/api/webhooks/(.*)',
]);

export default clerkMiddleware(
  async (auth, req) => {
    if (!isPublicRoute(req)) await auth.protect();
  },
  { authorizedParties: ['http://localhost:3000'] },
);

export const config = {
  matcher: [
    // Skip Next.js internals and static files, always run for API routes.
    '/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
    '/(api|trpc)(.*)',
  ],
};
