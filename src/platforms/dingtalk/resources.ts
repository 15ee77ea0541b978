/**
 * Files people sent the robot: `POST /v1.0/robot/messageFiles/download {downloadCode, robotCode}` (app token)
 * answers a short-lived `downloadUrl`, which is then fetched without credentials. The URL comes from DingTalk's
 * authenticated answer, never from a message body.
 */
import { bodyOf, transientStatus, type OpenedResource, type ResourceRef, type ResourceSource } from '../../declarations/evidence/source.js';
import type { DingtalkApi } from './openapi.js';

/** QPS and flow-control refusals come as 403 with these codes: worth asking again. */
const THROTTLED = /QpsLimit|FlowControl|Throttl/i;

export function dingtalkResources(api: DingtalkApi, robotCode: string): ResourceSource {
  return {
    platform: 'dingtalk',
    async open(ref: ResourceRef, signal: AbortSignal): Promise<OpenedResource> {
      const answer = await api.messageFileUrl(robotCode, ref.key);
      if (!answer.ok) {
        const transient = answer.stage === 'token' || answer.status === undefined || answer.status === 401 || transientStatus(answer.status) || THROTTLED.test(answer.code ?? '');
        return { ok: false, permanent: !transient, error: `dingtalk messageFiles/download: ${answer.status ?? ''} ${answer.code ?? ''} ${answer.message}` };
      }
      const res = await fetch(answer.data.downloadUrl, { signal });
      const opened = bodyOf(res);
      if (opened) return opened;
      await res.body?.cancel().catch(() => undefined);
      // An expired URL is asked for again next time (a new one comes with the next exchange).
      return { ok: false, permanent: false, error: `dingtalk download URL HTTP ${res.status}` };
    },
  };
}
