// The personal-account page of the apps' organizationSyncOptions (`/me`), not protected: reached
// when no organization is active (with one active, clerkMiddleware's handshake asks to leave it).
import { auth } from '@clerk/nextjs/server';

export const dynamic = 'force-dynamic';

export default async function PersonalAccount() {
  const { userId, orgSlug } = await auth();
  return (
    <main>
      <h1>Personal account</h1>
      <p>
        user: <span data-testid="user-id">{userId ?? 'none'}</span> active organization:{' '}
        <span data-testid="org-slug">{orgSlug ?? 'none'}</span>
      </p>
    </main>
  );
}
