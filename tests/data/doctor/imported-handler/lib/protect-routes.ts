import { createRouteMatcher, type ClerkMiddlewareHandler } from 'portcullis/next';
import { PUBLIC_PATHS } from './paths';

export const isPublicRoute = createRouteMatcher(PUBLIC_PATHS);

export const protectRoutes: ClerkMiddlewareHandler = async (auth, req) => {
  if (isPublicRoute(req)) return;
  await auth.protect();
};
