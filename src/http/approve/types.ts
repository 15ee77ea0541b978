/** Who is asking on the approval pages, or why they may not. */
import type { TeacherRow } from '../../ledger/store.js';
import type { WebSession } from '../../websignin/web-sessions.js';

/** The signed-in approver behind the request, read afresh: still bound to that account, with today's roles. */
export interface SignedIn {
  session: WebSession;
  teacher: TeacherRow;
  officer: boolean;
}

export interface Refusal {
  refused: 401 | 403;
  title: string;
  text: string;
}
