// Protected API (signed in, by the middleware's auth.protect()): reads the user with Clerk's auth(),
// which accepts the session from the __session cookie or an Authorization: Bearer header.
import { auth } from '@clerk/nextjs/server';

export const dynamic = 'force-dynamic';

export async function GET() {
  const { userId, orgRole } = await auth();
  return Response.json({ users: ['user_alice', 'user_bob'], requestedBy: userId, orgRole });
}
