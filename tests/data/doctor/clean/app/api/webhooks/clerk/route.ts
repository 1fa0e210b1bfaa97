export async function POST(req: Request) { return new Response('ok'); }
