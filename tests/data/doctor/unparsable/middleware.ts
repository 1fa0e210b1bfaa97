import { clerkMiddleware } from 'portcullis/next';

export default clerkMiddleware(async (auth, req) => {
  if (req.nextUrl.pathname.startsWith('/dashboard') {
    await auth.protect();
  }
});
