/** @jsxImportSource hono/jsx */
import type { IdentityProvider } from '../websignin/identity.js';

/**
 * In a browser that is none of the platforms' own: one link per configured web login back to the same page with
 * `?via=<platform>`, which starts that platform's login (styled by the page: `.btn`, `.btn.ding`).
 */
export function LoginButtons(props: { path: string; providers: readonly Pick<IdentityProvider, 'platform' | 'button'>[] }) {
  return (
    <>
      {props.providers.map((p) => (
        <a class={p.button.className} href={`${props.path}?via=${encodeURIComponent(p.platform)}`}>
          {p.button.label}
        </a>
      ))}
    </>
  );
}
