// /login is missing: the sign-in page (signInUrl: '/login') is protected.
export const PUBLIC_PATHS = ['/', '/about', '/about/(.*)'];
