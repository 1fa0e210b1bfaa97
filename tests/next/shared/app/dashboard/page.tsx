// Protected (signed in, by the middleware's auth.protect()): reads the user with Clerk's auth().
import { auth } from '@clerk/nextjs/server';

export const dynamic = 'force-dynamic';

export default async function Dashboard() {
  const { userId } = await auth();
  return (
    <main>
      <h1>Dashboard</h1>
      <p>
        user: <span data-testid="user-id">{userId ?? 'none'}</span>
      </p>
    </main>
  );
}
