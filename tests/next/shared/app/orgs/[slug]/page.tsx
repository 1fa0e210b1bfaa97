// An organization page of the apps' organizationSyncOptions (`/orgs/:slug`), not protected: reached
// when the URL's slug is the session's active organization (or when the loop guard stopped the
// activation handshake — then the active organization is still the old one, so a page must compare).
import { auth } from '@clerk/nextjs/server';

export const dynamic = 'force-dynamic';

export default async function Organization({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { userId, orgSlug } = await auth();
  return (
    <main>
      <h1>Organization</h1>
      <p>
        url slug: <span data-testid="url-slug">{slug}</span> user: <span data-testid="user-id">{userId ?? 'none'}</span>{' '}
        active organization: <span data-testid="org-slug">{orgSlug ?? 'none'}</span>
      </p>
    </main>
  );
}
