/**
 * GET /verify/:serial — the public page a 学时证明's QR code opens, with no login. It shows what the paper shows
 * (masked name, school, totals and dates as printed — read from the certificate's row, so a teacher who has
 * since moved school or been renamed still shows as the paper does), whether the certificate is valid or revoked,
 * and whether the ledger still gives the printed figures for the printed date; nothing more. Rate-limited per client address
 * (X-Forwarded-For believed only from TRUSTED_PROXIES), and every answer — found, unknown or malformed — takes at
 * least the same floor time, so timing does not tell which.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/client.js';
import { certificatesText as T } from '../bot/i18n/zh-CN.certificates.js';
import { certificateData, figuresHash } from '../certificates/data.js';
import { findCertificate } from '../certificates/store.js';
import { groupSerial, normaliseSerial, SERIAL_PATTERN } from '../certificates/serial.js';
import { dateIn } from '../time/zone.js';
import { type Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { findTeacherById } from '../ledger/store.js';
import type { PolicyPreset } from '../policy/schema.js';
import { clientAddress } from './client-address.js';
import { parseProxyList } from '../core/proxy-list.js';

export interface VerifyRoutesDeps {
  db: Db;
  clock: Clock;
  presets: ReadonlyMap<string, PolicyPreset>;
  timeZone: string;
  trustedProxies?: string;
  logger: Logger;
  /** Look-ups per client address per window (default 30 a minute). */
  limit?: { max: number; windowMs: number };
  /** Every answer takes at least this long (default 120 ms). */
  floorMs?: number;
}

/** 张建伟 → 张*伟, 李明 → 李*, 欧阳小明 → 欧**明: enough to match the paper, not enough to look someone up. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/** A fixed-window count per address; old windows are dropped as the map is walked, so it cannot grow unbounded. */
class WindowLimiter {
  private readonly hits = new Map<string, { start: number; n: number }>();
  constructor(private readonly max: number, private readonly windowMs: number) {}
  allow(key: string, now: number): boolean {
    if (this.hits.size > 10_000) for (const [k, v] of this.hits) if (now - v.start >= this.windowMs) this.hits.delete(k);
    const h = this.hits.get(key);
    if (!h || now - h.start >= this.windowMs) {
      this.hits.set(key, { start: now, n: 1 });
      return true;
    }
    h.n += 1;
    return h.n <= this.max;
  }
}

const page = (title: string, body: ReturnType<typeof html>) => html`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;line-height:1.6}
.ok{color:#137333}.bad{color:#b3261e}dt{color:#555}dd{margin:0 0 .5rem 0;font-weight:600}</style></head>
<body><h1>${title}</h1>${body}</body></html>`;

export function mountVerifyRoutes(app: Hono, deps: VerifyRoutesDeps): void {
  const limit = deps.limit ?? { max: 30, windowMs: 60_000 };
  const limiter = new WindowLimiter(limit.max, limit.windowMs);
  const proxies = deps.trustedProxies ? parseProxyList(deps.trustedProxies) : null;
  const floorMs = deps.floorMs ?? 120;

  app.get('/verify/:serial', async (c: Context) => {
    const started = Date.now();
    const respond = async (status: 200 | 404 | 429, body: ReturnType<typeof html>) => {
      const wait = floorMs - (Date.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      c.header('Cache-Control', 'no-store');
      c.header('X-Robots-Tag', 'noindex');
      c.header('Referrer-Policy', 'no-referrer');
      return c.html(body, status);
    };
    const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
    const who = clientAddress(incoming?.socket?.remoteAddress, c.req.header('x-forwarded-for'), proxies);
    if (!limiter.allow(who, Date.now())) {
      deps.logger.warn({ client: who }, 'verify page rate limit');
      return respond(429, page(T.page.title, html`<p class="bad">${T.page.tooMany}</p>`));
    }
    const serial = normaliseSerial(c.req.param('serial') ?? '');
    const row = SERIAL_PATTERN.test(serial) ? await findCertificate(deps.db, serial) : null;
    const teacher = row ? await findTeacherById(deps.db, row.teacherId) : null;
    if (!row || !teacher) return respond(404, page(T.page.title, html`<p class="bad">${T.page.notFound}</p>`));

    let unchanged = false;
    try {
      unchanged = figuresHash(await certificateData(deps.db, deps.presets, teacher, row.asOf, row.year)) === row.figuresHash;
    } catch (error) {
      deps.logger.warn({ err: error, serial }, 'verify: figures could not be recomputed');
    }
    const issuedOn = dateIn(row.issuedAt, deps.timeZone);
    const status = row.revokedAt
      ? html`<p class="bad"><strong>${T.page.revoked}</strong></p><p>${T.page.revokedOn(dateIn(row.revokedAt, deps.timeZone), row.revokeReason ?? '')}</p>`
      : html`<p class="ok"><strong>${T.page.valid}</strong></p>`;
    return respond(
      200,
      page(
        T.page.title,
        html`${status}
<h2>${T.page.printed}</h2>
<dl>
<dt>${T.labels.serial}</dt><dd>${groupSerial(row.serial)}</dd>
<dt>${T.labels.name}</dt><dd>${maskName(row.name)}</dd>
<dt>${T.labels.school}</dt><dd>${row.school}</dd>
<dt>${T.labels.cycle}</dt><dd>${T.cycle(row.cycleStart, row.cycleEnd)}</dd>
<dt>${T.page.kind}</dt><dd>${row.year === null ? T.title : T.yearTitle(row.year)}</dd>
<dt>${T.page.asOfLabel}</dt><dd>${T.date(row.asOf)}</dd>
<dt>${T.page.hoursLabel}</dt><dd>${T.totals(row.required, row.earned, row.remaining)}${row.year !== null && row.yearEarned !== null ? html`<br>${T.yearEarned(row.year, row.yearEarned)}` : ''}</dd>
<dt>${T.labels.issuedOn}</dt><dd>${T.date(issuedOn)}</dd>
</dl>
<p class="${unchanged ? 'ok' : 'bad'}">${unchanged ? T.page.unchanged : T.page.changed}</p>`,
      ),
    );
  });
}
