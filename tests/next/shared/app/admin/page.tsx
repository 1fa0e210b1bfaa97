// Protected (organization role org:admin, by the middleware's auth.protect({ role })): reads the
// user and role with Clerk's auth().
import { auth } from '@clerk/nextjs/server';

export const dynamic = 'force-dynamic';

export default async function Admin() {
  const { userId, orgRole } = await auth();
  return (
    <main>
      <h1>Admin</h1>
      <p>
        user: <span data-testid="user-id">{userId ?? 'none'}</span> role:{' '}
        <span data-testid="org-role">{orgRole ?? 'none'}</span>
      </p>
    </main>
  );
}
