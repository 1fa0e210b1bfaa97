import { clerkMiddleware } from 'portcullis/next';
import { protectRoutes } from './lib/protect-routes';

export default clerkMiddleware(protectRoutes, { signInUrl: '/login' });

export const config = {
  matcher: [
    '/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
    '/(api|trpc)(.*)',
  ],
};
