/**
 * Where evidence bytes come from: each platform adapter offers a ResourceSource (Feishu's message resources,
 * DingTalk's messageFiles download, the console's local files), as it offers a Sender for replies. The worker
 * knows no platform; a source knows nothing of checks or storage.
 */

/** What names a file a person sent: the message it came in and the platform's key for it. */
export interface ResourceRef {
  messageId: string;
  key: string;
  kind: 'image' | 'file';
}

export type OpenedResource =
  /** The platform is sending the bytes; `size` is the announced length when there is one. */
  | { ok: true; body: AsyncIterable<Uint8Array>; size?: number }
  /**
   * No bytes. `permanent`: the platform refused this file for good (unknown key, expired code, no permission):
   * asking again cannot help. Otherwise (network, 5xx, rate limit, token) the worker tries again later.
   */
  | { ok: false; permanent: boolean; error: string };

export interface ResourceSource {
  readonly platform: string;
  /** Starts the download; the caller reads (and may cut off) the body, and aborts `signal` to stop it. */
  open(ref: ResourceRef, signal: AbortSignal): Promise<OpenedResource>;
}

/** A fetch Response as an OpenedResource: the body when 2xx, else the caller's classification. */
export function bodyOf(res: Response): OpenedResource | null {
  if (!res.ok || !res.body) return null;
  const length = Number(res.headers.get('content-length'));
  return { ok: true, body: res.body as unknown as AsyncIterable<Uint8Array>, ...(Number.isFinite(length) && length >= 0 && res.headers.has('content-length') ? { size: length } : {}) };
}

/** HTTP statuses worth asking again for: rate limits, timeouts and server errors. */
export function transientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
