import type { ServerResponse } from 'node:http';

/**
 * Files a fake platform holds for download (what people "sent"), shared by the fake Feishu and DingTalk. Each
 * key can be told to misbehave on its next downloads, the ways a real download goes wrong: an error answer, the
 * connection cut halfway, or a body that stalls halfway and never ends (until the socket is closed).
 */
export type DownloadPlan =
  | { kind: 'error'; status: number; body: Record<string, unknown> }
  | { kind: 'cut' }
  | { kind: 'stall' }
  /** Sent without content-length (chunked), as a streaming server does. */
  | { kind: 'chunked' };

export class FakeFiles {
  private readonly files = new Map<string, { bytes: Buffer; type: string }>();
  private readonly plans = new Map<string, DownloadPlan[]>();
  /** Keys whose bytes started going out, in order (a stalled or cut one counts). */
  readonly served: string[] = [];
  /** Responses held open by a stall (closed by the fake's close()). */
  readonly stalled: ServerResponse[] = [];

  put(key: string, bytes: Buffer | string, type = 'application/octet-stream'): void {
    this.files.set(key, { bytes: Buffer.from(bytes), type });
  }

  has(key: string): boolean {
    return this.files.has(key);
  }

  /** The next downloads of `key` go these ways, in order; later ones succeed. */
  planNext(key: string, ...plans: DownloadPlan[]): void {
    this.plans.set(key, [...(this.plans.get(key) ?? []), ...plans]);
  }

  /** The plan an error answer takes, consumed; null when the download should go ahead. */
  takeError(key: string): Extract<DownloadPlan, { kind: 'error' }> | null {
    const next = this.plans.get(key)?.[0];
    if (next?.kind !== 'error') return null;
    this.plans.get(key)!.shift();
    return next;
  }

  /** Writes the file (or what its next plan says) to `res`. */
  serve(key: string, res: ServerResponse): void {
    const file = this.files.get(key)!;
    const plan = this.plans.get(key)?.shift();
    this.served.push(key);
    const half = file.bytes.subarray(0, Math.max(1, file.bytes.length >> 1));
    if (plan?.kind === 'cut') {
      res.writeHead(200, { 'content-type': file.type, 'content-length': String(file.bytes.length) });
      res.write(half, () => setTimeout(() => res.destroy(), 20));
      return;
    }
    if (plan?.kind === 'stall') {
      res.writeHead(200, { 'content-type': file.type, 'content-length': String(file.bytes.length) });
      res.write(half);
      this.stalled.push(res);
      return;
    }
    const headers: Record<string, string> = { 'content-type': file.type };
    if (plan?.kind !== 'chunked') headers['content-length'] = String(file.bytes.length);
    res.writeHead(200, headers);
    // In pieces, as a network delivers it: a reader must not need the whole file at once.
    for (let at = 0; at < file.bytes.length; at += 64 * 1024) res.write(file.bytes.subarray(at, at + 64 * 1024));
    res.end();
  }

  closeStalled(): void {
    for (const res of this.stalled.splice(0)) res.destroy();
  }
}
