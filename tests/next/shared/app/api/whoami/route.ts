// Not behind the middleware's protection: verifies the session itself with portcullis/next, in the
// Node.js runtime of route handlers (webpack in Next 15, Turbopack in Next 16), to prove the Node
// loader works there too.
import { verifyToken, authObjectFromClaims, TokenVerificationError } from 'portcullis/next';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const cookie = request.headers.get('cookie') ?? '';
  const token = /(?:^|;\s*)__session=([^;]+)/.exec(cookie)?.[1];
  if (!token) return Response.json({ signedIn: false, reason: 'no-token' }, { status: 401 });
  try {
    const claims = await verifyToken(token, { jwtKey: process.env.PORTCULLIS_TEST_JWT_KEY });
    const auth = authObjectFromClaims(claims);
    return Response.json({ signedIn: true, userId: auth.userId, orgRole: auth.orgRole, runtime: process.env.NEXT_RUNTIME });
  } catch (error) {
    if (error instanceof TokenVerificationError) {
      return Response.json({ signedIn: false, reason: error.reason }, { status: 401 });
    }
    throw error;
  }
}
