import { clerkMiddleware } from 'portcullis/next';

export default clerkMiddleware({
  isSatellite: true,
  secretKey: process.env.SATELLITE_SECRET_KEY,
});

export const config = {
  matcher: [
    '/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
    '/(api|trpc)(.*)',
  ],
};
