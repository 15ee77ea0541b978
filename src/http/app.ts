import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from '../logger.js';
import type { PlatformAdapter } from '../platforms/adapter.js';
import { healthOf, type DatabaseHealthDeps } from './health.js';
import { mountRawRoute } from './raw-route.js';
import { mountSessionRoutes, type SessionRoutesDeps } from './sessions.js';
import { mountAdmin, type AdminDeps } from './admin/index.js';
import { mountVerifyRoutes, type VerifyRoutesDeps } from './verify.js';
import { mountScanRoutes, type ScanRoutesDeps } from './scan.js';
import { mountApproveRoutes, type ApproveRoutesDeps } from './approve/routes.js';

export interface HttpAppOptions {
  adapters: readonly PlatformAdapter[];
  maxBodyBytes: number;
  logger: Logger;
  health: () => Record<string, unknown>;
  /** INSTANCE_ID, on /healthz. */
  instance?: string;
  /** /healthz's database reachability and queue depths; not reported when absent. */
  database?: DatabaseHealthDeps;
  /** Training-session projector pages (GET /sessions/:id/checkin); off when absent. */
  sessions?: SessionRoutesDeps;
  /** The officer web console at /admin; off when absent. */
  admin?: AdminDeps;
  /** Scan-to-sign-in (GET /s/<session>/<code>, web login callbacks at /s/auth/<platform>); off when absent. */
  scan?: ScanRoutesDeps;
  /** The public 学时证明 verify page (GET /verify/:serial); off when absent. */
  verify?: VerifyRoutesDeps;
  /** The approvers' page for 学时申报 after platform login (GET/POST /approve/:id); off when absent. */
  approve?: ApproveRoutesDeps;
}

export function createHttpApp(options: HttpAppOptions): Hono {
  const app = new Hono();
  app.use(
    '/webhooks/*',
    bodyLimit({
      maxSize: options.maxBodyBytes,
      onError: (c) => {
        options.logger.warn({ path: c.req.path }, 'request body over limit');
        return c.json({ error: 'payload too large' }, 413);
      },
    }),
  );
  app.get('/healthz', async (c) => c.json(await healthOf(options)));
  for (const adapter of options.adapters) {
    for (const route of adapter.routes ?? []) mountRawRoute(app, route);
    adapter.mount?.(app);
  }
  if (options.scan) mountScanRoutes(app, options.scan);
  if (options.sessions) mountSessionRoutes(app, options.sessions);
  if (options.admin) mountAdmin(app, options.admin);
  if (options.verify) mountVerifyRoutes(app, options.verify);
  if (options.approve) mountApproveRoutes(app, options.approve);
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => {
    options.logger.error({ err: error, path: c.req.path }, 'unhandled HTTP error');
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
