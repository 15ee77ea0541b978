/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';

/**
 * The frame of the phone-sized pages opened from a chat (scan-to-sign-in, approvals): one document, the page's own
 * inline style, no outside assets, kept out of search engines. `head` adds to the head, `body` sets the body's
 * attributes.
 */
export function PageShell(props: { title: string; style: string; head?: Child; body?: Record<string, string | undefined>; children?: Child }) {
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{props.title}</title>
        <style dangerouslySetInnerHTML={{ __html: props.style }} />
        {props.head}
      </head>
      <body {...props.body}>{props.children}</body>
    </html>
  );
}
