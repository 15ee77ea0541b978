import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

/** Key/value facts about this database, e.g. whether it holds demo or real data. */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** The roster. One row per teacher (or leader/officer, who are staff on the roster too). */
export const teachers = sqliteTable(
  'teachers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    employeeNo: text('employee_no').notNull(),
    name: text('name').notNull(),
    school: text('school').notNull(),
    hireDate: text('hire_date'),
    normalGraduate: integer('normal_graduate', { mode: 'boolean' }),
    homeroom: integer('homeroom', { mode: 'boolean' }).notNull().default(false),
    position: text('position').notNull().default('教师'),
    policyId: text('policy_id').notNull(),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('teachers_employee_no').on(t.employeeNo), index('teachers_school').on(t.school)],
);

/** Credit records: the ledger. `recordKey` is the record's own unique id (编号), so imports are idempotent. */
export const records = sqliteTable(
  'records',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    recordKey: text('record_key').notNull(),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    date: text('date').notNull(),
    hours: real('hours').notNull(),
    category: text('category').notNull(),
    project: text('project').notNull().default(''),
    source: text('source').notNull().default('import'),
    cancelledAt: integer('cancelled_at', { mode: 'timestamp_ms' }),
    cancelReason: text('cancel_reason'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('records_record_key').on(t.recordKey), index('records_teacher_date').on(t.teacherId, t.date)],
);

/** A chat account (per platform) bound to a roster entry. One account per teacher per platform. */
export const accounts = sqliteTable(
  'accounts',
  {
    platform: text('platform').notNull(),
    accountId: text('account_id').notNull(),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    boundAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.accountId] }), uniqueIndex('accounts_platform_teacher').on(t.platform, t.teacherId)],
);

/** Roles beyond "teacher", kept as data. */
export const roles = sqliteTable(
  'roles',
  {
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    role: text('role', { enum: ['leader', 'officer'] }).notNull(),
    grantedBy: text('granted_by').notNull(),
    grantedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.teacherId, t.role] })],
);

/**
 * Every platform event we accepted, claimed before the platform gets its ack. One unique key does the claim:
 * `m:<platform>:<message id>` for messages — a retried event carries the same message, and a re-delivery
 * under a new event id does too — and `e:<platform>:<event id>` for events without one (card clicks). A
 * retried or concurrent duplicate loses the insert. One random-keyed index instead of two (event id and
 * message id) halves what each claim writes.
 */
export const inbox = sqliteTable(
  'inbox',
  {
    id: integer('id').primaryKey(),
    claimKey: text('claim_key').notNull(),
    eventKey: text('event_key').notNull(),
    platform: text('platform').notNull(),
    payload: text('payload').notNull(),
    status: text('status', { enum: ['pending', 'done', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    receivedAt: createdAt(),
    handledAt: integer('handled_at', { mode: 'timestamp_ms' }),
    /** The instance handling the row (INSTANCE_ID) and until when: another takes it once the lease ends (a crashed instance's). */
    claimedBy: text('claimed_by'),
    claimedUntil: integer('claimed_until', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('inbox_claim_key').on(t.claimKey), index('inbox_status').on(t.status, t.receivedAt)],
);

/** Every message we mean to send. The sender works through pending rows; `idempotencyKey` doubles as the platform's dedupe key. */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    idempotencyKey: text('idempotency_key').notNull(),
    platform: text('platform').notNull(),
    target: text('target').notNull(),
    reply: text('reply').notNull(),
    origin: text('origin'),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    lastError: text('last_error'),
    platformMessageId: text('platform_message_id'),
    /** A scheduled message (reminder), not an answer: never delivered in quiet hours, even on a retry or a late send. */
    quiet: integer('quiet', { mode: 'boolean' }).notNull().default(false),
    /**
     * Attempts that timed out or were cut off after the request was written, on a platform with no idempotency
     * key (DingTalk): it may have been delivered. Such a row is tried at most once more; one sent again after
     * it may have arrived twice (可能重复).
     */
    unknownOutcomes: integer('unknown_outcomes').notNull().default(0),
    createdAt: createdAt(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
    /**
     * The lease of the instance sending this row (several instances on one PostgreSQL database): set by the claim
     * just before the platform call, cleared by the outcome; a row whose lease ran out (its instance died) is
     * claimed again by another. SQLite has one process and never claims: both stay null there.
     */
    claimedBy: text('claimed_by'),
    claimedUntil: integer('claimed_until', { mode: 'timestamp_ms' }),
    /**
     * The recipient's queue: `<platform>:user:<account>` or `<platform>:chat:<chat>` (replies go to their chat).
     * The worker sends each lane's rows in order, one at a time, and a lane held by its recipient's rate limit
     * is stepped over as a whole (src/outbox/lanes.ts). Computed from the row, so every writer gets it right.
     */
    lane: text('lane').generatedAlwaysAs(
      // Null for a target that is not JSON (json_extract would throw, and fail every look that reads the row).
      sql`case when json_valid(target) then platform || ':' || case json_extract(target, '$.type') when 'user' then 'user:' || json_extract(target, '$.accountId') else 'chat:' || json_extract(target, '$.chatId') end end`,
      { mode: 'virtual' },
    ),
  },
  (t) => [
    uniqueIndex('outbox_idempotency_key').on(t.idempotencyKey),
    index('outbox_due').on(t.status, t.nextAttemptAt),
    index('outbox_origin').on(t.origin),
    index('outbox_lane').on(t.lane, t.nextAttemptAt).where(sql`status = 'pending'`),
  ],
);

/** Who changed what: imports, role changes, unbinding, credit cancellations. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: createdAt(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    detail: text('detail').notNull().default('{}'),
  },
  (t) => [index('audit_log_at').on(t.at)],
);

/* ---------- Training sessions and sign-in ---------- */

/** Who a session, broadcast or deadline is for. Stored as JSON: {"all":true} | {"schools":[...]} | {"roles":[...]}. */
export type AudienceJson = string;

export const trainingSessions = sqliteTable(
  'training_sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title').notNull(),
    category: text('category').notNull(),
    hours: real('hours').notNull(),
    date: text('date').notNull(),
    checkinStart: integer('checkin_start', { mode: 'timestamp_ms' }).notNull(),
    checkinEnd: integer('checkin_end', { mode: 'timestamp_ms' }).notNull(),
    checkoutStart: integer('checkout_start', { mode: 'timestamp_ms' }),
    checkoutEnd: integer('checkout_end', { mode: 'timestamp_ms' }),
    audience: text('audience').notNull().default('{"all":true}'),
    mode: text('mode', { enum: ['rotating', 'static', 'button'] }).notNull(),
    staticCode: text('static_code'),
    /** Seeds the rotating code and guards the projector link; never shown to teachers. */
    secret: text('secret').notNull(),
    status: text('status', { enum: ['open', 'closed', 'cancelled'] }).notNull().default('open'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    /** Who taught it and the training project it belongs to (optional): evaluation results group by them. */
    trainer: text('trainer'),
    project: text('project'),
  },
  (t) => [index('training_sessions_date').on(t.date)],
);

export const attendance = sqliteTable(
  'attendance',
  {
    sessionId: integer('session_id')
      .notNull()
      .references(() => trainingSessions.id),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    checkedInAt: integer('checked_in_at', { mode: 'timestamp_ms' }).notNull(),
    checkedOutAt: integer('checked_out_at', { mode: 'timestamp_ms' }),
    via: text('via').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.teacherId] })],
);

/** Sign-in attempts per account, to slow down someone guessing codes. */
export const signinAttempts = sqliteTable(
  'signin_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    platform: text('platform').notNull(),
    accountId: text('account_id').notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    ok: integer('ok', { mode: 'boolean' }).notNull(),
  },
  (t) => [index('signin_attempts_account').on(t.platform, t.accountId, t.at)],
);

/* ---------- Deadlines, reminders, broadcasts ---------- */

export const deadlines = sqliteTable(
  'deadlines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title').notNull(),
    dueAt: integer('due_at', { mode: 'timestamp_ms' }).notNull(),
    /** Schools that must file: {"all":true} | {"schools":[...]}. */
    audience: text('audience').notNull().default('{"all":true}'),
    /** Days before the due date to remind, e.g. [30,7,3,1,0]. */
    offsets: text('offsets').notNull().default('[30,7,3,1,0]'),
    overdueEveryDays: integer('overdue_every_days').notNull().default(3),
    escalate: integer('escalate', { mode: 'boolean' }).notNull().default(true),
    /** 'preset:<presetId>:<deadlineId>:<year>' for deadlines that come from policy data, else null. */
    sourceKey: text('source_key'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    cancelledAt: integer('cancelled_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('deadlines_source_key').on(t.sourceKey), index('deadlines_due').on(t.dueAt)],
);

export const deadlineFilings = sqliteTable(
  'deadline_filings',
  {
    deadlineId: integer('deadline_id')
      .notNull()
      .references(() => deadlines.id),
    school: text('school').notNull(),
    filedAt: integer('filed_at', { mode: 'timestamp_ms' }).notNull(),
    filedBy: integer('filed_by').references(() => teachers.id),
  },
  (t) => [primaryKey({ columns: [t.deadlineId, t.school] })],
);

/** Per-teacher preferences (reminder opt-out). */
export const teacherPrefs = sqliteTable('teacher_prefs', {
  teacherId: integer('teacher_id')
    .primaryKey()
    .references(() => teachers.id),
  remindersOff: integer('reminders_off', { mode: 'boolean' }).notNull().default(false),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }),
});

export const broadcasts = sqliteTable('broadcasts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  text: text('text').notNull(),
  audience: text('audience').notNull(),
  status: text('status', { enum: ['preview', 'sending', 'cancelled'] }).notNull().default('preview'),
  recipientCount: integer('recipient_count').notNull().default(0),
  createdBy: text('created_by').notNull(),
  /** Where the officer asked from, to report progress back. */
  requestedVia: text('requested_via'),
  createdAt: createdAt(),
  confirmedAt: integer('confirmed_at', { mode: 'timestamp_ms' }),
});

/** One row per intended recipient; `outboxId` is null when the teacher has no bound account. */
export const broadcastRecipients = sqliteTable(
  'broadcast_recipients',
  {
    broadcastId: integer('broadcast_id')
      .notNull()
      .references(() => broadcasts.id),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    outboxId: integer('outbox_id').references(() => outbox.id),
  },
  (t) => [primaryKey({ columns: [t.broadcastId, t.teacherId] }), index('broadcast_recipients_outbox').on(t.outboxId)],
);

/* ---------- Officer web console (/admin) ---------- */

/** One-time login links sent by the `后台` command: only the SHA-256 of the token is kept. */
export const adminLoginTokens = sqliteTable(
  'admin_login_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    teacherId: integer('teacher_id').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('admin_login_tokens_expires').on(t.expiresAt)],
);

/** Console sign-ins. The cookie holds a random id; only its SHA-256 is stored. teacherId null = ADMIN_TOKEN. */
export const adminSessions = sqliteTable(
  'admin_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    teacherId: integer('teacher_id'),
    actor: text('actor').notNull(),
    csrfToken: text('csrf_token').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('admin_sessions_expires').on(t.expiresAt)],
);

/** Failed and successful console login attempts per client address, for the rate limit. */
export const adminLoginAttempts = sqliteTable(
  'admin_login_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ip: text('ip').notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    ok: integer('ok', { mode: 'boolean' }).notNull(),
  },
  (t) => [index('admin_login_attempts_ip').on(t.ip, t.at)],
);

/**
 * Teachers whose compliance summary must be recomputed: filled by triggers (see the migration) on UPDATE and
 * DELETE of `records` and `teachers`, from any process. New rows are found by their ids instead, so imports
 * pay nothing per inserted row.
 */
export const adminComplianceChanges = sqliteTable('admin_compliance_changes', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  teacherId: integer('teacher_id').notNull(),
});

/** What a chat account was last looking at, so a follow-up like 「记录 下一页」 can continue (one row per account and key). */
export const chatState = sqliteTable(
  'chat_state',
  {
    platform: text('platform').notNull(),
    accountId: text('account_id').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.accountId, t.key] })],
);

/* ---------- Binding: attempt limit and one-time codes ---------- */

/**
 * Failed `绑定` attempts, kept so the limit (per chat account, per chat and per target 工号) survives a restart.
 * `employeeNo` is what was typed, whether or not it is on the roster, so rotating accounts cannot enumerate it.
 */
export const bindAttempts = sqliteTable(
  'bind_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    platform: text('platform').notNull(),
    accountId: text('account_id').notNull(),
    chatId: text('chat_id').notNull(),
    employeeNo: text('employee_no').notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('bind_attempts_account').on(t.platform, t.accountId, t.at),
    index('bind_attempts_chat').on(t.platform, t.chatId, t.at),
    index('bind_attempts_employee').on(t.employeeNo, t.at),
  ],
);

/** One-time codes that officers and school leaders need to bind: only a hash (salted with the teacher id) is kept. */
export const bindCodes = sqliteTable(
  'bind_codes',
  {
    codeHash: text('code_hash').primaryKey(),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('bind_codes_teacher').on(t.teacherId)],
);

/**
 * Issued 学时证明. The printed figures are kept as printed (the verify page shows them, never today's), with a
 * hash of every printed line so the page can say whether the ledger still agrees for the printed date.
 */
export const certificates = sqliteTable(
  'certificates',
  {
    serial: text('serial').primaryKey(),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    /** The year asked for (`学时证明 2025`), null for the whole cycle. */
    year: integer('year'),
    asOf: text('as_of').notNull(),
    cycleStart: text('cycle_start'),
    cycleEnd: text('cycle_end'),
    required: real('required'),
    earned: real('earned').notNull(),
    remaining: real('remaining'),
    yearEarned: real('year_earned'),
    /** Who and where, as printed: the verify page shows these, not the teacher's current row (a teacher may move school). */
    name: text('name').notNull(),
    employeeNo: text('employee_no').notNull(),
    school: text('school').notNull(),
    figuresHash: text('figures_hash').notNull(),
    issuedAt: integer('issued_at', { mode: 'timestamp_ms' }).notNull(),
    issuedBy: text('issued_by').notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    revokedBy: text('revoked_by'),
    revokeReason: text('revoke_reason'),
  },
  (t) => [index('certificates_teacher').on(t.teacherId), index('certificates_employee_no').on(t.employeeNo), index('certificates_issued_at').on(t.issuedAt)],
);

/* ---------- 学时申报 (issue 13): declarations, their approval steps and duplicate flags (core) ---------- */

export const DECLARATION_STATES = ['draft', 'pending', 'returned', 'approved', 'withdrawn', 'rejected'] as const;
export const DECLARATION_STEPS = ['school', 'office'] as const;
export const DECLARATION_ACTIONS = ['submit', 'approve', 'return', 'forward', 'resubmit', 'withdraw', 'escalate'] as const;
export const DECLARATION_FLAG_KINDS = ['certificate_no', 'evidence_hash', 'overlap_record', 'overlap_declaration'] as const;

/**
 * Training a teacher declares (done elsewhere) for the school and the office to recognise. `projectKey` is the
 * project name normalised (spaces, full-width forms, case) so the partial unique index refuses an exact repeat
 * among declarations still alive (not withdrawn).
 */
export const declarations = sqliteTable(
  'declarations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    project: text('project').notNull(),
    projectKey: text('project_key').notNull(),
    organiser: text('organiser').notNull(),
    startDate: text('start_date').notNull(),
    endDate: text('end_date').notNull(),
    hours: real('hours').notNull(),
    category: text('category').notNull(),
    certificateNo: text('certificate_no'),
    state: text('state', { enum: DECLARATION_STATES }).notNull(),
    currentStep: text('current_step', { enum: DECLARATION_STEPS }),
    /** The ledger record made at the final approval (recordKey `declaration:<id>`). */
    recordId: integer('record_id').references(() => records.id),
    returnReason: text('return_reason'),
    /** Set when the record made from it was revoked later (撤销记录); the declaration stays approved, marked. */
    recordRevokedAt: integer('record_revoked_at', { mode: 'timestamp_ms' }),
    recordRevokeReason: text('record_revoke_reason'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    submittedAt: integer('submitted_at', { mode: 'timestamp_ms' }),
    decidedAt: integer('decided_at', { mode: 'timestamp_ms' }),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('declarations_exact_repeat')
      .on(t.teacherId, t.projectKey, t.startDate, t.endDate, t.hours)
      .where(sql`state <> 'withdrawn'`),
    index('declarations_teacher').on(t.teacherId, t.createdAt),
    index('declarations_state').on(t.state, t.submittedAt),
    index('declarations_certificate_no').on(t.certificateNo),
  ],
);

/** Every action taken on a declaration, in order (also written to the audit log). */
export const declarationSteps = sqliteTable(
  'declaration_steps',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    declarationId: integer('declaration_id')
      .notNull()
      .references(() => declarations.id),
    step: text('step', { enum: DECLARATION_STEPS }),
    action: text('action', { enum: DECLARATION_ACTIONS }).notNull(),
    actor: text('actor').notNull(),
    actorTeacherId: integer('actor_teacher_id').references(() => teachers.id),
    toTeacherId: integer('to_teacher_id').references(() => teachers.id),
    reason: text('reason'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('declaration_steps_declaration').on(t.declarationId, t.id)],
);

/** Who may act on a pending declaration at its current step: filled from the chain, changed by 转交. */
export const declarationAssignees = sqliteTable(
  'declaration_assignees',
  {
    declarationId: integer('declaration_id')
      .notNull()
      .references(() => declarations.id),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
  },
  (t) => [primaryKey({ columns: [t.declarationId, t.teacherId] }), index('declaration_assignees_teacher').on(t.teacherId)],
);

/**
 * 重复参训 warnings shown to the approver with the earlier item. `otherKey` (`d:<id>`, `r:<id>` or '') makes
 * each flag unique, so recomputing or a re-run of the evidence check adds nothing twice.
 */
export const declarationFlags = sqliteTable(
  'declaration_flags',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    declarationId: integer('declaration_id')
      .notNull()
      .references(() => declarations.id),
    kind: text('kind', { enum: DECLARATION_FLAG_KINDS }).notNull(),
    otherDeclarationId: integer('other_declaration_id').references(() => declarations.id),
    otherRecordId: integer('other_record_id').references(() => records.id),
    otherKey: text('other_key').notNull(),
    detail: text('detail').notNull().default(''),
  },
  (t) => [uniqueIndex('declaration_flags_unique').on(t.declarationId, t.kind, t.otherKey, t.detail)],
);

/* ---------- 学时申报 (issue 13): evidence files people send (evidence part) ---------- */

export const EVIDENCE_KINDS = ['image', 'file'] as const;
export const EVIDENCE_STATUSES = ['pending', 'stored', 'rejected'] as const;

/**
 * A picture or file a teacher sent as evidence. Registered `pending` inside the event's transaction (one row
 * per platform message and key, so a redelivered message adds nothing); the evidence worker downloads, checks
 * and stores it outside any transaction and marks it `stored` (sha256, size, mime) or `rejected` (error, in
 * Chinese). `declarationId` is set when a declaration takes it (core's attachEvidence). `claimedUntil` is the
 * worker's lease: a crash mid-download leaves the row pending and due again once the lease passes.
 */
export const evidenceFiles = sqliteTable(
  'evidence_files',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    declarationId: integer('declaration_id').references(() => declarations.id),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    platform: text('platform').notNull(),
    messageId: text('message_id').notNull(),
    /** Who sent it on that platform: a rejection is told to them there. */
    accountId: text('account_id').notNull(),
    /** Feishu image_key / file_key, DingTalk downloadCode, the console's local path. */
    platformKey: text('platform_key').notNull(),
    kind: text('kind', { enum: EVIDENCE_KINDS }).notNull(),
    fileName: text('file_name'),
    status: text('status', { enum: EVIDENCE_STATUSES }).notNull().default('pending'),
    sha256: text('sha256'),
    size: integer('size'),
    mime: text('mime'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    claimedUntil: integer('claimed_until', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    storedAt: integer('stored_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('evidence_files_message_key').on(t.platform, t.messageId, t.platformKey),
    index('evidence_files_due').on(t.status, t.nextAttemptAt),
    index('evidence_files_declaration').on(t.declarationId),
    index('evidence_files_sha256').on(t.sha256),
  ],
);

/* ---------- 培训评估与需求调研 (issue 17): questionnaires, rounds, invitations, anonymous answers ---------- */

export const SURVEY_KINDS = ['evaluation', 'survey'] as const;

/**
 * Question lists (src/surveys/questions.ts validates `questions`). An evaluation template is for one session
 * category, or for every category when `category` is null (the default, seeded by the migration); a survey
 * questionnaire has no category. At most one evaluation template per category (null counted as one value).
 */
export const questionnaires = sqliteTable(
  'questionnaires',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: SURVEY_KINDS }).notNull(),
    title: text('title').notNull(),
    questions: text('questions').notNull(),
    category: text('category'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  // Also `questionnaires_evaluation_category`, unique on coalesce(category, '') for evaluations: written by hand
  // in migration 0012 (drizzle-kit cannot write an expression index), so the one default template stays one.
  (t) => [index('questionnaires_kind').on(t.kind, t.category)],
);

/**
 * One asking: a session's evaluation (sessionId set, unique: a session is evaluated once) or a needs survey to an
 * audience (JSON as broadcasts). `questions` is a snapshot, so editing the template later changes no open round.
 */
export const surveyRounds = sqliteTable(
  'survey_rounds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: SURVEY_KINDS }).notNull(),
    questionnaireId: integer('questionnaire_id').references(() => questionnaires.id),
    questions: text('questions').notNull(),
    sessionId: integer('session_id').references(() => trainingSessions.id),
    audience: text('audience'),
    title: text('title').notNull(),
    openedAt: integer('opened_at', { mode: 'timestamp_ms' }).notNull(),
    closesAt: integer('closes_at', { mode: 'timestamp_ms' }).notNull(),
    /** The one reminder to those who have not answered is due at this time (null: no reminder). */
    remindAt: integer('remind_at', { mode: 'timestamp_ms' }),
    remindedAt: integer('reminded_at', { mode: 'timestamp_ms' }),
    resultsNotifiedAt: integer('results_notified_at', { mode: 'timestamp_ms' }),
    createdBy: text('created_by').notNull(),
  },
  (t) => [uniqueIndex('survey_rounds_session').on(t.sessionId), index('survey_rounds_closes').on(t.closesAt)],
);

/**
 * Who was asked and whether they answered. Deliberately NO link to the answer and NO time of answering: this
 * table says "teacher X answered round R", never what or when. Only the SHA-256 of the one-time token is kept.
 */
export const surveyInvitations = sqliteTable(
  'survey_invitations',
  {
    roundId: integer('round_id')
      .notNull()
      .references(() => surveyRounds.id),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    tokenHash: text('token_hash').notNull(),
    answered: integer('answered', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.teacherId] }), uniqueIndex('survey_invitations_token').on(t.tokenHash)],
);

/**
 * Answers, with no teacher id, no platform id and no exact time (a date only). `id` is random (128 bits), and
 * migration 0012 makes the table WITHOUT ROWID (drizzle has no option for it), so rows are stored in the order of that random id: neither an
 * id nor the storage order tells when, or after whom, an answer came. A needs survey (not the anonymous
 * evaluation, and it says so) also keeps the respondent's school and 职务 as buckets for its results.
 */
export const surveyAnswers = sqliteTable(
  'survey_answers',
  {
    id: text('id').primaryKey(),
    roundId: integer('round_id')
      .notNull()
      .references(() => surveyRounds.id),
    answeredOn: text('answered_on').notNull(),
    answers: text('answers').notNull(),
    school: text('school'),
    role: text('role'),
  },
  (t) => [index('survey_answers_round').on(t.roundId)],
);

/**
 * Scheduled jobs claimed per tick (issue 16): the instance whose insert of (tick, job) lands runs that job for that
 * minute; the others skip it. The owner may re-run its own tick (a catch-up after a tick over budget). Rows older
 * than a day are pruned by the scheduler.
 */
export const jobTicks = sqliteTable(
  'job_ticks',
  {
    tick: integer('tick', { mode: 'timestamp_ms' }).notNull(),
    job: text('job').notNull(),
    claimedBy: text('claimed_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tick, t.job] })],
);

/**
 * Token buckets for the platforms' app-wide send limits, shared by every instance on one PostgreSQL database
 * (src/outbox/shared-limits.ts). SQLite has one process, whose in-memory limiter covers them: the table stays empty.
 */
export const rateBuckets = sqliteTable('rate_buckets', {
  key: text('key').primaryKey(),
  tokens: real('tokens').notNull(),
  refilledAt: integer('refilled_at', { mode: 'timestamp_ms' }).notNull(),
});
