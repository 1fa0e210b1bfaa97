import { clerkMiddleware } from 'portcullis/next';

export default clerkMiddleware(async (auth) => {
  await auth.protect();
});

export const config = { matcher: ['/dashboard/:path*', '/(api|trpc)(.*)'] };
