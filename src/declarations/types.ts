import type { HoursSummary } from '../policy/engine.js';
import type { TeacherRow } from '../ledger/store.js';
import type {
  DeclarationFlagRow,
  DeclarationRow,
  DeclarationStep,
  DeclarationStepRow,
  EvidenceSummary,
  RecordRow,
} from './store.js';

export type { DeclarationFlagRow, DeclarationRow, DeclarationStep, DeclarationStepRow, EvidenceSummary, RecordRow };

/** Who acts: the label as the audit log writes it ('feishu:ou_x', 'admin:T0001', 'cli') and their roster entry. */
export interface Actor {
  label: string;
  teacherId: number | null;
}

export interface DeclarationInput {
  teacherId: number;
  project: string;
  organiser: string;
  startDate: string;
  endDate: string;
  hours: number;
  /** A preset category key or one of its aliases (校本培训 → 校本研修). */
  category: string;
  certificateNo?: string | null;
  evidenceIds: number[];
}

export type SubmitRefusal =
  | { ok: false; reason: 'invalid'; detail: string }
  | { ok: false; reason: 'exact_repeat'; detail: string; other: DeclarationRow }
  | { ok: false; reason: 'year_cap'; detail: string }
  | { ok: false; reason: 'no_preset'; detail: string }
  | { ok: false; reason: 'not_found' | 'not_owner' | 'wrong_state'; detail: string };

export type SubmitOutcome =
  | { ok: true; declaration: DeclarationRow; flags: DeclarationFlagRow[]; assignees: TeacherRow[]; stepIndex: number }
  | SubmitRefusal;

export type DecisionAction = 'approve' | 'return' | 'forward' | 'escalate';

export type DecisionRefusalReason = 'not_found' | 'not_assignee' | 'already_decided' | 'wrong_state' | 'no_reason' | 'bad_forward';

export type DecisionOutcome =
  | {
      ok: true;
      action: DecisionAction;
      declaration: DeclarationRow;
      /** True at the final approval (the record is made). */
      finished: boolean;
      record: RecordRow | null;
      /** Who must decide next (the office after the school, the forward target, the officers on escalation). */
      next: TeacherRow[];
      /** The teacher's hours after the final approval (the same engine as 学时); null otherwise. */
      totals: { summary: HoursSummary; asOf: string; teacher: TeacherRow } | null;
      /** Number of steps recorded so far: part of every notice's idempotency key. */
      stepIndex: number;
    }
  | { ok: false; reason: DecisionRefusalReason; detail?: string };

export type WithdrawOutcome =
  | { ok: true; declaration: DeclarationRow; stepIndex: number }
  | { ok: false; reason: 'not_found' | 'not_owner' | 'wrong_state'; detail?: string };

/** One declaration with everything an approver or the teacher is shown. */
export interface DeclarationView {
  declaration: DeclarationRow;
  teacher: TeacherRow;
  steps: DeclarationStepRow[];
  flags: FlagWithOther[];
  evidence: EvidenceSummary[];
  assignees: TeacherRow[];
}

/** A duplicate flag with the earlier item it points at (shown to the approver). */
export interface FlagWithOther extends DeclarationFlagRow {
  otherDeclaration: DeclarationRow | null;
  otherRecord: RecordRow | null;
}
