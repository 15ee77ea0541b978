/**
 * GET /approve/<id>/evidence/<evidenceId>: one evidence file of that declaration, for its approver on the approval
 * page. The same checks as the page (signed in, an approver of this declaration), the file must belong to this
 * declaration, and the evidence part's readEvidence asks the core's canView again before touching it. Every
 * refusal after sign-in is the same 404: an id tells nothing.
 */
import type { Context, Hono } from 'hono';
import type { Db } from '../../../db/client.js';
import { readEvidence } from '../../declarations/evidence/read.js';
import { getDeclaration } from '../../declarations/service.js';
import { rolesOf } from '../../ledger/store.js';
import { evidenceResponse } from '../evidence.js';
import type { Refusal, SignedIn } from './types.js';

export interface ApprovalEvidenceDeps {
  db: Db;
  /** EVIDENCE_DIR. */
  dir: string;
  approverOf: (c: Context, id: number) => Promise<SignedIn | Refusal>;
  idOf: (c: Context) => number | null;
  notFound: (c: Context) => Response | Promise<Response>;
  refuse: (c: Context, r: Refusal) => Response | Promise<Response>;
}

export function mountApprovalEvidence(app: Hono, deps: ApprovalEvidenceDeps): void {
  app.get('/approve/:id/evidence/:evidenceId', async (c) => {
    const id = deps.idOf(c);
    const raw = c.req.param('evidenceId');
    if (id === null || !/^\d{1,15}$/.test(raw)) return deps.notFound(c);
    const who = await deps.approverOf(c, id);
    if ('refused' in who) return deps.refuse(c, who);
    const evidenceId = Number(raw);
    if (!(await getDeclaration(deps.db, id))?.evidence.some((e) => e.id === evidenceId)) return deps.notFound(c);
    const read = await readEvidence(deps.db, evidenceId, { teacherId: who.teacher.id, roles: await rolesOf(deps.db, who.teacher) }, deps.dir);
    if (!read.ok) return deps.notFound(c);
    return evidenceResponse(read);
  });
}
