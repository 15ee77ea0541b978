/** @jsxImportSource hono/jsx */
import type { WebPlatform } from '../websignin/identity.js';

/**
 * In a browser that is neither Feishu nor DingTalk: one link per configured platform back to the same page with
 * `?via=<platform>`, which starts that platform's web login (styled `.btn` / `.btn.ding` by the page).
 */
export function LoginButtons(props: { path: string; platforms: readonly WebPlatform[]; labels: Record<WebPlatform, string> }) {
  return (
    <>
      {props.platforms.includes('feishu') ? (
        <a class="btn" href={`${props.path}?via=feishu`}>
          {props.labels.feishu}
        </a>
      ) : null}
      {props.platforms.includes('dingtalk') ? (
        <a class="btn ding" href={`${props.path}?via=dingtalk`}>
          {props.labels.dingtalk}
        </a>
      ) : null}
    </>
  );
}
