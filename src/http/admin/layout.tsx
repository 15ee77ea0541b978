/** @jsxImportSource hono/jsx */
/** The console's frame (left nav, header) and the small pieces every page uses. */
import type { Child } from 'hono/jsx';
import type { ConsoleUser } from '../../admin/auth.js';
import type { ComplianceStatus } from '../../admin/compliance/model.js';
import { Alert, PostButton } from './components.js';
import { a, type Flash } from './context.js';

export type NavKey = 'dashboard' | 'imports' | 'exports' | 'certificates' | 'sessions' | 'declarations' | 'deadlines' | 'broadcasts' | 'surveys' | 'audit';

/** A nav icon: 24×24, drawn with the text colour's 1.8 px stroke. */
const icon = (shapes: Child) => (
  <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">
    {shapes}
  </svg>
);

const ICONS: Record<NavKey, Child> = {
  dashboard: icon(<path d="M4 20V10M10 20V4M16 20v-7M22 20H2" />),
  imports: icon(<path d="M12 3v12M7 10l5 5 5-5M4 17v3h16v-3" />),
  exports: icon(<path d="M12 15V3M7 8l5-5 5 5M4 17v3h16v-3" />),
  certificates: icon(
    <>
      <rect x="3" y="3" width="18" height="14" rx="2" />
      <path d="M7 8h10M7 12h6M15 21l2-3 2 3M17 18a3 3 0 1 0 0-6" />
    </>,
  ),
  sessions: icon(
    <>
      <rect x="3" y="4" width="18" height="12" rx="2" />
      <path d="M8 20h8M12 16v4M8 10l2.5 2.5L16 8" />
    </>,
  ),
  declarations: icon(<path d="M6 3h9l4 4v14H6zM14 3v5h5M9 14l2 2 4-4" />),
  deadlines: icon(
    <>
      <rect x="3" y="5" width="18" height="16" rx="2" />
      <path d="M3 10h18M8 3v4M16 3v4M12 14v3l2 1" />
    </>,
  ),
  broadcasts: icon(<path d="M3 11v2a1 1 0 0 0 1 1h3l5 4V6L7 10H4a1 1 0 0 0-1 1zM16 8.5a5 5 0 0 1 0 7M19 6a8.5 8.5 0 0 1 0 12" />),
  surveys: icon(<path d="M5 3h14v18H5zM9 8h7M9 12h7M9 16h4" />),
  audit: icon(<path d="M6 3h9l4 4v14H6zM14 3v5h5M9 12h7M9 16h7" />),
};

const NAV: { key: NavKey; href: string }[] = [
  { key: 'dashboard', href: '/admin' },
  { key: 'imports', href: '/admin/imports' },
  { key: 'exports', href: '/admin/exports' },
  { key: 'certificates', href: '/admin/certificates' },
  { key: 'sessions', href: '/admin/sessions' },
  { key: 'declarations', href: '/admin/declarations' },
  { key: 'deadlines', href: '/admin/deadlines' },
  { key: 'broadcasts', href: '/admin/broadcasts' },
  { key: 'surveys', href: '/admin/surveys' },
  { key: 'audit', href: '/admin/audit' },
];

function Head(props: { title: string; refreshSeconds?: number }) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex, nofollow" />
      <title>{`${props.title} · ${a.brand}${a.brandSub}`}</title>
      <link rel="stylesheet" href="/admin/assets/admin.css" />
      {props.refreshSeconds ? <meta http-equiv="refresh" content={String(props.refreshSeconds)} /> : null}
      <script src="/admin/assets/admin.js" defer></script>
    </head>
  );
}

export function Brand() {
  return (
    <div class="brand">
      <div class="brand-mark">{a.brandMark}</div>
      <div>
        <div class="brand-name">{a.brand}</div>
        <div class="brand-sub">{a.brandSub}</div>
      </div>
    </div>
  );
}

export interface PageProps {
  title: string;
  nav: NavKey;
  user: ConsoleUser;
  flash?: Flash | null;
  /** Reload the page every n seconds (progress pages; works without JavaScript). */
  refreshSeconds?: number;
  children?: Child;
}

export function Page(props: PageProps) {
  const u = props.user;
  return (
    <html lang="zh-CN">
      <Head title={props.title} refreshSeconds={props.refreshSeconds} />
      <body>
        <div class="shell">
          <aside class="side">
            <div class="side-inner">
              <Brand />
              <nav class="nav">
                {NAV.map((n) => (
                  <a href={n.href} class={n.key === props.nav ? 'active' : undefined}>
                    {ICONS[n.key]}
                    <span>{a.nav[n.key]}</span>
                  </a>
                ))}
              </nav>
              <div class="side-foot">
                <div>{a.nav.signedInAs}</div>
                <div class="who">{u.teacher ? a.person(u.name, u.teacher.employeeNo) : a.nav.adminToken}</div>
                <PostButton action="/admin/logout" user={u} label={a.nav.logout} />
              </div>
            </div>
          </aside>
          <main class="main">
            {props.flash ? <Alert kind={props.flash.kind}>{props.flash.text}</Alert> : null}
            {props.children}
          </main>
        </div>
      </body>
    </html>
  );
}

/** Pages outside the shell: login, refusals, errors. */
export function Bare(props: { title: string; children?: Child }) {
  return (
    <html lang="zh-CN">
      <Head title={props.title} />
      <body class="login-body">
        <div class="login-card">
          <Brand />
          {props.children}
        </div>
      </body>
    </html>
  );
}

export function Notice(props: { title: string; text: string; icon?: string; link?: { href: string; label: string } }) {
  return (
    <Bare title={props.title}>
      {props.icon ? <div class="big-icon">{props.icon}</div> : null}
      <h1>{props.title}</h1>
      <p>{props.text}</p>
      {props.link ? (
        <p style="margin-top:18px">
          <a class="btn" href={props.link.href}>
            {props.link.label}
          </a>
        </p>
      ) : null}
    </Bare>
  );
}

export function PageHead(props: { title: string; sub?: Child; crumbs?: { href?: string; label: string }[]; children?: Child }) {
  return (
    <div class="page-head">
      <div>
        {props.crumbs ? (
          <div class="crumbs">
            {props.crumbs.map((c, i) => (
              <>
                {i > 0 ? <span>/</span> : null}
                {c.href ? <a href={c.href}>{c.label}</a> : c.label}
              </>
            ))}
          </div>
        ) : null}
        <h1>{props.title}</h1>
        {props.sub ? <div class="sub">{props.sub}</div> : null}
      </div>
      {props.children ? <div class="actions no-print">{props.children}</div> : null}
    </div>
  );
}

export function StatusBadge(props: { status: ComplianceStatus }) {
  return (
    <span class={`badge ${props.status}`}>
      <i class={`dot ${props.status}`} />
      {a.status[props.status]}
    </span>
  );
}

/** A progress meter (0…1+), coloured by status. */
export function Meter(props: { value: number | null; status?: ComplianceStatus }) {
  if (props.value === null) return <span class="faint">—</span>;
  const pct = Math.round(props.value * 100);
  return (
    <div class="meter-row">
      <div class={`meter ${props.status ?? ''}`}>
        <i style={`width:${Math.min(100, Math.max(0, pct))}%`} />
      </div>
      <span class="num small">{pct}%</span>
    </div>
  );
}

/** Counts by status as one stacked bar. */
export function StackBar(props: { done: number; onPace: number; behind: number; none: number }) {
  const total = props.done + props.onPace + props.behind + props.none;
  if (total === 0) return <div class="stackbar" />;
  const w = (n: number) => `width:${((n / total) * 100).toFixed(2)}%`;
  return (
    <div class="stackbar" title={`${a.status.done} ${props.done} · ${a.status.onPace} ${props.onPace} · ${a.status.behind} ${props.behind} · ${a.status.none} ${props.none}`}>
      <i class="behind" style={w(props.behind)} />
      <i class="onPace" style={w(props.onPace)} />
      <i class="done" style={w(props.done)} />
      <i class="none" style={w(props.none)} />
    </div>
  );
}

export function Legend() {
  return (
    <div class="legend">
      {(['behind', 'onPace', 'done', 'none'] as const).map((s) => (
        <span>
          <i class={`dot ${s}`} />
          {a.status[s]}
        </span>
      ))}
    </div>
  );
}

/** A table header cell that sorts by `sortKey` (links keep the other query parameters). */
export function SortTh(props: { label: string; sortKey: string; sort: string; dir: 'asc' | 'desc'; base: URLSearchParams; path: string; num?: boolean; defaultDir?: 'asc' | 'desc' }) {
  const active = props.sort === props.sortKey;
  const nextDir = active ? (props.dir === 'asc' ? 'desc' : 'asc') : (props.defaultDir ?? (props.num ? 'desc' : 'asc'));
  const q = new URLSearchParams(props.base);
  q.set('sort', props.sortKey);
  q.set('dir', nextDir);
  q.delete('page');
  const arrow = active ? (props.dir === 'asc' ? '▲' : '▼') : '▲▼';
  return (
    <th class={props.num ? 'num' : undefined}>
      <a href={`${props.path}?${q.toString()}`} class={active ? 'sorted' : undefined} title={active ? (props.dir === 'asc' ? a.common.sortAsc : a.common.sortDesc) : undefined}>
        {props.label}
        <span class="arrow">{arrow}</span>
      </a>
    </th>
  );
}

export function Pager(props: { page: number; pages: number; text: string; base: URLSearchParams; path: string }) {
  const link = (page: number) => {
    const q = new URLSearchParams(props.base);
    q.set('page', String(page));
    return `${props.path}?${q.toString()}`;
  };
  return (
    <div class="pager">
      <span>{props.text}</span>
      <span class="links">
        {props.page > 1 ? (
          <a class="btn btn-small" href={link(props.page - 1)}>
            {a.dashboard.prev}
          </a>
        ) : null}
        {props.page < props.pages ? (
          <a class="btn btn-small" href={link(props.page + 1)}>
            {a.dashboard.next}
          </a>
        ) : null}
      </span>
    </div>
  );
}

export const hrs = a.hours;
