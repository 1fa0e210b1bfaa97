// Next 15: middleware.ts runs on the edge runtime (no runtime setting: writing 'edge' is a build error).
import { clerkMiddleware } from 'portcullis/next';
import { middlewareOptions } from './lib/middleware-options';
import { protectRoutes } from './lib/protect-routes';

export default clerkMiddleware(protectRoutes, middlewareOptions);

export const config = {
  matcher: [
    // Clerk's recommended matcher: everything but Next internals and static files, and always APIs.
    '/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
    '/(api|trpc)(.*)',
  ],
};
