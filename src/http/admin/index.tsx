/** @jsxImportSource hono/jsx */
/**
 * The officer web console at /admin: server-rendered pages (hono/jsx), one local stylesheet and one small
 * script, charts as inline SVG — nothing from the internet, so it works on an offline school network.
 * The pages call the other features' domain functions; they hold no rules of their own.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { html } from 'hono/html';
import { readFileSync } from 'node:fs';
import { filesInMemory, publicUrl } from '../../config.js';
import { setConsoleBaseUrl } from '../../admin/auth.js';
import { parseProxyList } from '../../core/proxy-list.js';
import { ComplianceCache } from '../../admin/compliance/cache.js';
import { ImportJobs } from '../../admin/imports.js';
import { CertificateExports, exportsDirFor } from '../../certificates/exports.js';
import { a, type AdminDeps, type AdminEnv, type AdminServices } from './context.js';
import { Notice } from './layout.js';
import { mountAudit } from './pages/audit.js';
import { mountCertificates } from './pages/certificates.js';
import { mountBroadcasts } from './pages/broadcasts.js';
import { mountCompliance } from './pages/compliance.js';
import { mountDeadlines } from './pages/deadlines.js';
import { mountDeclarations } from './pages/declarations.js';
import { mountEvidence } from './pages/evidence.js';
import { mountExports } from './pages/exports.js';
import { mountImports } from './pages/imports.js';
import { csrfRefusal, mountLogin } from './pages/login.js';
import { mountRecords } from './pages/records.js';
import { mountSessions } from './pages/sessions.js';
import { mountSurveys } from './pages/surveys.js';
import { isStreamedUpload, requireCsrf, requireSession, securityHeaders } from './security.js';

export type { AdminDeps } from './context.js';

const ASSETS: Record<string, { type: string; body: string }> = {
  'admin.css': { type: 'text/css; charset=utf-8', body: readFileSync(new URL('./assets/admin.css', import.meta.url), 'utf8') },
  'admin.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('./assets/admin.js', import.meta.url), 'utf8') },
};

export interface AdminConsole {
  services: AdminServices;
  /** Releases temp files of uploads. */
  close(): void;
}

/** Mounts /admin on the app. */
export function mountAdmin(app: Hono, deps: AdminDeps): AdminConsole {
  // Until the server listens (and learns its real port), links use the configured PORT; see setConsoleBaseUrl.
  const baseUrl = publicUrl(deps.config, deps.config.PORT);
  setConsoleBaseUrl(deps.db, baseUrl);
  const cache = new ComplianceCache({ db: deps.db, presets: deps.presets, clock: deps.clock, timeZone: deps.config.TIMEZONE });
  const imports = new ImportJobs({
    db: deps.db,
    databasePath: deps.config.DATABASE_PATH,
    presets: deps.presets,
    clock: deps.clock,
    timeZone: deps.config.TIMEZONE,
    defaultPolicy: deps.config.DEFAULT_POLICY,
    logger: deps.logger,
  });
  const certificates = new CertificateExports({
    db: deps.db,
    presets: deps.presets,
    clock: deps.clock,
    timeZone: deps.config.TIMEZONE,
    exportsDir: filesInMemory(deps.config) ? null : exportsDirFor(deps.config),
    officeName: deps.config.OFFICE_NAME,
    sealPath: deps.config.OFFICE_SEAL_PATH,
    baseUrl,
    logger: deps.logger,
  });
  const proxies = deps.config.TRUSTED_PROXIES ? parseProxyList(deps.config.TRUSTED_PROXIES) : null;
  const svc: AdminServices = { ...deps, cache, imports, certificates, baseUrl, secureCookies: baseUrl.startsWith('https:'), proxies };

  const admin = new Hono<AdminEnv>();
  admin.use('*', securityHeaders);
  admin.get('/assets/:file', (c) => {
    // Own keys only: `constructor`, `__proto__`, `toString` … are not assets.
    const name = c.req.param('file');
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!asset) return c.notFound();
    return c.body(asset.body, 200, { 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=300' });
  });
  // Who is asking is settled before any body is read: an anonymous POST is refused with its body unread.
  admin.use('*', requireSession(svc));
  // Uploads stream to disk under their own cap (pages/imports.tsx); every other form is small.
  const formLimit = bodyLimit({ maxSize: 1024 * 1024, onError: (c) => c.text(a.tooLarge, 413) });
  admin.use('*', (c, next) => (c.req.method !== 'POST' || isStreamedUpload(c.req.path) ? next() : formLimit(c, next)));
  admin.use('*', requireCsrf(svc, csrfRefusal));

  mountLogin(admin, svc);
  mountCompliance(admin, svc);
  mountRecords(admin, svc);
  mountImports(admin, svc);
  mountExports(admin, svc);
  mountCertificates(admin, svc);
  mountSessions(admin, svc);
  mountDeadlines(admin, svc);
  mountDeclarations(admin, svc);
  mountBroadcasts(admin, svc);
  mountSurveys(admin, svc);
  mountAudit(admin, svc);
  mountEvidence(admin, svc);

  admin.all('*', (c) =>
    c.html(html`<!DOCTYPE html>${<Notice title={a.errors.notFoundTitle} text={a.errors.notFound} icon="🔍" link={{ href: '/admin', label: a.errors.back }} />}`, 404),
  );
  admin.onError((error, c) => {
    deps.logger.error({ err: error, path: c.req.path }, 'admin console error');
    return c.html(html`<!DOCTYPE html>${<Notice title={a.errors.internalTitle} text={a.errors.internal} icon="⚠️" link={{ href: '/admin', label: a.errors.back }} />}`, 500);
  });

  app.get('/admin/', (c) => c.redirect('/admin', 301));
  app.route('/admin', admin);
  return { services: svc, close: () => imports.close() };
}
