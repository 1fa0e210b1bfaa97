export async function POST() { return new Response('ok'); }
