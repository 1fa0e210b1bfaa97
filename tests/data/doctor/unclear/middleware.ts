import { clerkMiddleware, createRouteMatcher } from 'portcullis/next';

const isApiRoute = createRouteMatcher(['/api/(.*)']);

export default clerkMiddleware(
  async (auth, req) => {
    if (req.method !== 'GET' && isApiRoute(req)) await auth.protect();
  },
  (req) => ({ signInUrl: new URL('/sign-in', req.url).href }),
);

export const config = {
  matcher: [{ source: '/((?!_next|favicon.ico).*)', missing: [{ type: 'header', key: 'next-router-prefetch' }] }],
};
