import type { IncomingMessage, Server } from 'node:http';

/** What the fake platforms share: reading a request, counting what people would see, stopping the server. */

/** What people would see from per-receiver delivery counts: every delivery, and receivers who got one twice. */
export function deliveryTotals(deliveries: ReadonlyMap<string, number>): { unique: number; receiversWithDuplicates: number } {
  let unique = 0;
  let receiversWithDuplicates = 0;
  for (const n of deliveries.values()) {
    unique += n;
    if (n > 1) receiversWithDuplicates++;
  }
  return { unique, receiversWithDuplicates };
}

/** A request's body as JSON, or null when it is not JSON. */
export async function readJsonBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    return null;
  }
}

/** Stops a fake's server, dropping kept-alive connections. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
