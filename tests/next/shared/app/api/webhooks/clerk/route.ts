// Clerk's webhook endpoint as a user writes it: public (no session; protect-routes.ts leaves
// /api/webhooks alone), the Svix signature checked on the raw body with verifyWebhook. suite.mjs
// signs events with the svix package. Imported the way Clerk's users import it
// (`@clerk/nextjs/webhooks` → `portcullis/next/webhooks`).
import { verifyWebhook, WebhookVerificationError } from 'portcullis/next/webhooks';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  try {
    const event = await verifyWebhook(request, { signingSecret: process.env.CLERK_WEBHOOK_SIGNING_SECRET });
    return Response.json({ type: event.type, id: event.data?.id ?? null });
  } catch (error) {
    if (error instanceof WebhookVerificationError) {
      return Response.json({ code: error.code, message: error.message }, { status: error.statusCode });
    }
    throw error;
  }
}
