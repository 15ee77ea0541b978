/** @jsxImportSource hono/jsx */
/**
 * GET /admin/evidence/:id — an evidence file for the signed-in officer (the console's session guard runs first).
 * Any refusal, a missing id and a file not stored get the console's one "not found" page: an id tells nothing.
 */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { evidenceDirFor } from '../../../declarations/evidence/files.js';
import { readEvidence } from '../../../declarations/evidence/read.js';
import { rolesOf } from '../../../ledger/store.js';
import { evidenceResponse } from '../../evidence.js';
import { a, type AdminEnv, type AdminServices } from '../context.js';
import { Notice } from '../layout.js';

export function mountEvidence(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const dir = evidenceDirFor(svc.config);
  admin.get('/evidence/:id', async (c) => {
    const user = c.get('user');
    const id = /^\d{1,15}$/.test(c.req.param('id')) ? Number(c.req.param('id')) : 0;
    // A console session is an officer's (ADMIN_TOKEN has no roster entry, and is one too).
    const viewer = { teacherId: user.teacher?.id ?? null, roles: user.teacher ? await rolesOf(svc.db, user.teacher) : new Set(['officer'] as const) };
    const read = await readEvidence(svc.db, id, viewer, dir);
    if (!read.ok) return c.html(html`<!DOCTYPE html>${<Notice title={a.errors.notFoundTitle} text={a.errors.notFound} icon="🔍" link={{ href: '/admin', label: a.errors.back }} />}`, 404);
    return evidenceResponse(read, { download: c.req.query('download') === '1' });
  });
}
