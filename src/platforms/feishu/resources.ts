/**
 * Files people sent the bot: `GET {FEISHU_BASE_URL}/open-apis/im/v1/messages/:message_id/resources/:file_key
 * ?type=image|file` with the tenant token (the message must be one the bot received). 2xx is the file's bytes;
 * a failure is JSON `{code, msg}`.
 */
import { bodyOf, transientStatus, type OpenedResource, type ResourceRef, type ResourceSource } from '../../declarations/evidence/source.js';
import type { FeishuSender } from './send.js';

export function feishuResources(sender: FeishuSender, baseUrl: string): ResourceSource {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    platform: 'feishu',
    async open(ref: ResourceRef, signal: AbortSignal): Promise<OpenedResource> {
      let token: string;
      try {
        token = await sender.tenantToken();
      } catch (error) {
        return { ok: false, permanent: false, error: `feishu token: ${String(error)}` };
      }
      const url = `${base}/open-apis/im/v1/messages/${encodeURIComponent(ref.messageId)}/resources/${encodeURIComponent(ref.key)}?type=${ref.kind}`;
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal, redirect: 'manual' });
      const opened = bodyOf(res);
      if (opened) return opened;
      const text = await res.text().catch(() => '');
      let code: number | undefined;
      try {
        const parsed = JSON.parse(text) as { code?: unknown };
        code = typeof parsed.code === 'number' ? parsed.code : undefined;
      } catch {
        // not JSON
      }
      const error = `feishu resource HTTP ${res.status}${code !== undefined ? ` code ${code}` : ''}: ${text.slice(0, 200)}`;
      const tokenRefused = sender.dropToken(code);
      return { ok: false, permanent: !tokenRefused && !transientStatus(res.status), error };
    },
  };
}
