// Next 16: proxy.ts always runs on the Node.js runtime (Turbopack by default).
import { clerkMiddleware } from 'portcullis/next';
import { middlewareOptions } from './lib/middleware-options';
import { protectRoutes } from './lib/protect-routes';

// debug: true only here, so suite.mjs can check the logged block in next start's output (no secret
// key, no token).
export default clerkMiddleware(protectRoutes, { ...middlewareOptions, debug: true });

export const config = {
  matcher: [
    // Clerk's recommended matcher: everything but Next internals and static files, and always APIs.
    '/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
    '/(api|trpc)(.*)',
  ],
};
