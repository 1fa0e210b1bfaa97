// Not protected: reads the session with Clerk's own auth(), from the x-clerk-auth-* request headers
// clerkMiddleware hands to the app (signed in or out).
import { auth } from '@clerk/nextjs/server';

export const dynamic = 'force-dynamic';

export default async function ClerkAuth() {
  const { userId } = await auth();
  return (
    <main>
      <h1>Clerk auth()</h1>
      <p>
        user: <span data-testid="user-id">{userId ?? 'none'}</span>
      </p>
    </main>
  );
}
