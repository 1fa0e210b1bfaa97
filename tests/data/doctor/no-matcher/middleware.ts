import { clerkMiddleware, createRouteMatcher } from 'portcullis/next';

const isProtectedRoute = createRouteMatcher(['/dashboard', '/dashboard/(.*)']);

export default clerkMiddleware(async (auth, req) => {
  if (isProtectedRoute(req)) await auth.protect();
});
