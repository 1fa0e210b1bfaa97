import { clerkMiddleware, createRouteMatcher } from 'portcullis/next';

const isPublicRoute = createRouteMatcher(['/', '/sign-in', '/sign-in/(.*)', '/sign-up', '/sign-up/(.*)']);

export default clerkMiddleware(async (auth, req) => {
  if (!isPublicRoute(req)) await auth.protect();
});

export const config = {
  matcher: [
    '/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
    '/(api|trpc)(.*)',
  ],
};
