/**
 * The PostgreSQL schema (issue 16): db/schema.ts table by table, column by column, for cities and provinces
 * that run on PostgreSQL. tests/unit/schema-dialects.test.ts fails when the two drift apart (a column, a key or
 * an index in one only), and proves both give store functions the same row types, so one store signature
 * serves both dialects. Migrations: drizzle.config.pg.ts → db/migrations-pg.
 *
 * How SQLite's storage maps here: `timestamp_ms` integers are `timestamptz(3)`; 0/1 booleans are `boolean`;
 * `real` is `double precision`; an INTEGER PRIMARY KEY is an identity column (BY DEFAULT, so an explicit id is
 * still accepted, as on SQLite); JSON kept as text is `jsonb` (see jsonText). Triggers are in the migrations.
 */
import { sql } from 'drizzle-orm';
import { boolean, customType, doublePrecision, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { DECLARATION_ACTIONS, DECLARATION_FLAG_KINDS, DECLARATION_STATES, DECLARATION_STEPS, EVIDENCE_KINDS, EVIDENCE_STATUSES, SURVEY_KINDS } from './schema.js';

/**
 * JSON the stores write as text (JSON.stringify) and parse themselves: stored as jsonb (the server checks it is
 * JSON), seen as a string, so the row type is SQLite's. jsonb keeps no key order or spacing: read it back parsed.
 * The driver hands jsonb over parsed, a JSON string as a bare string too, so every value is written back as text.
 */
const jsonText = customType<{ data: string; driverData: unknown }>({
  dataType: () => 'jsonb',
  toDriver: (value) => value,
  fromDriver: (value) => JSON.stringify(value),
});

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });
const createdAt = () => at('created_at').notNull().defaultNow();
const id = () => integer('id').primaryKey().generatedByDefaultAsIdentity();

export const meta = pgTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const teachers = pgTable(
  'teachers',
  {
    id: id(),
    employeeNo: text('employee_no').notNull(),
    name: text('name').notNull(),
    school: text('school').notNull(),
    hireDate: text('hire_date'),
    normalGraduate: boolean('normal_graduate'),
    homeroom: boolean('homeroom').notNull().default(false),
    position: text('position').notNull().default('教师'),
    policyId: text('policy_id').notNull(),
    createdAt: createdAt(),
    updatedAt: at('updated_at'),
  },
  (t) => [uniqueIndex('teachers_employee_no').on(t.employeeNo), index('teachers_school').on(t.school)],
);

export const records = pgTable(
  'records',
  {
    id: id(),
    recordKey: text('record_key').notNull(),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    date: text('date').notNull(),
    hours: doublePrecision('hours').notNull(),
    category: text('category').notNull(),
    project: text('project').notNull().default(''),
    source: text('source').notNull().default('import'),
    cancelledAt: at('cancelled_at'),
    cancelReason: text('cancel_reason'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('records_record_key').on(t.recordKey), index('records_teacher_date').on(t.teacherId, t.date)],
);

export const accounts = pgTable(
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

export const roles = pgTable(
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

/** The payload stays text: it is kept as received, and jsonb would refuse a \u0000 a platform may send. */
export const inbox = pgTable(
  'inbox',
  {
    id: id(),
    claimKey: text('claim_key').notNull(),
    eventKey: text('event_key').notNull(),
    platform: text('platform').notNull(),
    payload: text('payload').notNull(),
    status: text('status', { enum: ['pending', 'done', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    receivedAt: createdAt(),
    handledAt: at('handled_at'),
    /** The instance handling the row (INSTANCE_ID) and until when: another takes it once the lease ends (a crashed instance's). */
    claimedBy: text('claimed_by'),
    claimedUntil: at('claimed_until'),
  },
  (t) => [uniqueIndex('inbox_claim_key').on(t.claimKey), index('inbox_status').on(t.status, t.receivedAt)],
);

export const outbox = pgTable(
  'outbox',
  {
    id: id(),
    idempotencyKey: text('idempotency_key').notNull(),
    platform: text('platform').notNull(),
    target: text('target').notNull(),
    reply: jsonText('reply').notNull(),
    origin: text('origin'),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at').notNull(),
    lastError: text('last_error'),
    platformMessageId: text('platform_message_id'),
    quiet: boolean('quiet').notNull().default(false),
    unknownOutcomes: integer('unknown_outcomes').notNull().default(0),
    createdAt: createdAt(),
    sentAt: at('sent_at'),
    /** The sending instance's lease, as in db/schema.ts. */
    claimedBy: text('claimed_by'),
    claimedUntil: at('claimed_until'),
    /** The recipient's queue, as in db/schema.ts (stored: PostgreSQL before 18 has no virtual generated columns). */
    lane: text('lane').generatedAlwaysAs(
      sql`platform || ':' || case (target::jsonb ->> 'type') when 'user' then 'user:' || (target::jsonb ->> 'accountId') else 'chat:' || (target::jsonb ->> 'chatId') end`,
    ),
  },
  (t) => [
    uniqueIndex('outbox_idempotency_key').on(t.idempotencyKey),
    index('outbox_due').on(t.status, t.nextAttemptAt),
    index('outbox_origin').on(t.origin),
    index('outbox_lane').on(t.lane, t.nextAttemptAt).where(sql`status = 'pending'`),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: id(),
    at: createdAt(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    detail: jsonText('detail').notNull().default('{}'),
  },
  (t) => [index('audit_log_at').on(t.at)],
);

export const trainingSessions = pgTable(
  'training_sessions',
  {
    id: id(),
    title: text('title').notNull(),
    category: text('category').notNull(),
    hours: doublePrecision('hours').notNull(),
    date: text('date').notNull(),
    checkinStart: at('checkin_start').notNull(),
    checkinEnd: at('checkin_end').notNull(),
    checkoutStart: at('checkout_start'),
    checkoutEnd: at('checkout_end'),
    audience: jsonText('audience').notNull().default('{"all":true}'),
    mode: text('mode', { enum: ['rotating', 'static', 'button'] }).notNull(),
    staticCode: text('static_code'),
    secret: text('secret').notNull(),
    status: text('status', { enum: ['open', 'closed', 'cancelled'] }).notNull().default('open'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    trainer: text('trainer'),
    project: text('project'),
  },
  (t) => [index('training_sessions_date').on(t.date)],
);

export const attendance = pgTable(
  'attendance',
  {
    sessionId: integer('session_id')
      .notNull()
      .references(() => trainingSessions.id),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    checkedInAt: at('checked_in_at').notNull(),
    checkedOutAt: at('checked_out_at'),
    via: text('via').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.teacherId] })],
);

export const signinAttempts = pgTable(
  'signin_attempts',
  {
    id: id(),
    platform: text('platform').notNull(),
    accountId: text('account_id').notNull(),
    at: at('at').notNull(),
    ok: boolean('ok').notNull(),
  },
  (t) => [index('signin_attempts_account').on(t.platform, t.accountId, t.at)],
);

export const deadlines = pgTable(
  'deadlines',
  {
    id: id(),
    title: text('title').notNull(),
    dueAt: at('due_at').notNull(),
    audience: jsonText('audience').notNull().default('{"all":true}'),
    offsets: jsonText('offsets').notNull().default('[30,7,3,1,0]'),
    overdueEveryDays: integer('overdue_every_days').notNull().default(3),
    escalate: boolean('escalate').notNull().default(true),
    sourceKey: text('source_key'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    cancelledAt: at('cancelled_at'),
  },
  (t) => [uniqueIndex('deadlines_source_key').on(t.sourceKey), index('deadlines_due').on(t.dueAt)],
);

export const deadlineFilings = pgTable(
  'deadline_filings',
  {
    deadlineId: integer('deadline_id')
      .notNull()
      .references(() => deadlines.id),
    school: text('school').notNull(),
    filedAt: at('filed_at').notNull(),
    filedBy: integer('filed_by').references(() => teachers.id),
  },
  (t) => [primaryKey({ columns: [t.deadlineId, t.school] })],
);

export const teacherPrefs = pgTable('teacher_prefs', {
  teacherId: integer('teacher_id')
    .primaryKey()
    .references(() => teachers.id),
  remindersOff: boolean('reminders_off').notNull().default(false),
  updatedAt: at('updated_at'),
});

export const broadcasts = pgTable('broadcasts', {
  id: id(),
  text: text('text').notNull(),
  audience: jsonText('audience').notNull(),
  status: text('status', { enum: ['preview', 'sending', 'cancelled'] }).notNull().default('preview'),
  recipientCount: integer('recipient_count').notNull().default(0),
  createdBy: text('created_by').notNull(),
  requestedVia: text('requested_via'),
  createdAt: createdAt(),
  confirmedAt: at('confirmed_at'),
});

export const broadcastRecipients = pgTable(
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

export const adminLoginTokens = pgTable(
  'admin_login_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    teacherId: integer('teacher_id').notNull(),
    createdAt: at('created_at').notNull(),
    expiresAt: at('expires_at').notNull(),
    usedAt: at('used_at'),
  },
  (t) => [index('admin_login_tokens_expires').on(t.expiresAt)],
);

export const adminSessions = pgTable(
  'admin_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    teacherId: integer('teacher_id'),
    actor: text('actor').notNull(),
    csrfToken: text('csrf_token').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: at('created_at').notNull(),
    lastSeenAt: at('last_seen_at').notNull(),
    expiresAt: at('expires_at').notNull(),
    revokedAt: at('revoked_at'),
  },
  (t) => [index('admin_sessions_expires').on(t.expiresAt)],
);

export const adminLoginAttempts = pgTable(
  'admin_login_attempts',
  {
    id: id(),
    ip: text('ip').notNull(),
    at: at('at').notNull(),
    ok: boolean('ok').notNull(),
  },
  (t) => [index('admin_login_attempts_ip').on(t.ip, t.at)],
);

/**
 * Filled by triggers on every write to records and teachers (migrations compliance_triggers and
 * compliance_inserts). On PostgreSQL the table also has `xid` (the writing transaction) and `at` (for pruning by
 * age), added by compliance_inserts and read only in raw SQL (src/admin/compliance/store.ts): SQLite has neither.
 */
export const adminComplianceChanges = pgTable('admin_compliance_changes', {
  seq: integer('seq').primaryKey().generatedByDefaultAsIdentity(),
  teacherId: integer('teacher_id').notNull(),
});

export const chatState = pgTable(
  'chat_state',
  {
    platform: text('platform').notNull(),
    accountId: text('account_id').notNull(),
    key: text('key').notNull(),
    value: jsonText('value').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.accountId, t.key] })],
);

export const bindAttempts = pgTable(
  'bind_attempts',
  {
    id: id(),
    platform: text('platform').notNull(),
    accountId: text('account_id').notNull(),
    chatId: text('chat_id').notNull(),
    employeeNo: text('employee_no').notNull(),
    at: at('at').notNull(),
  },
  (t) => [
    index('bind_attempts_account').on(t.platform, t.accountId, t.at),
    index('bind_attempts_chat').on(t.platform, t.chatId, t.at),
    index('bind_attempts_employee').on(t.employeeNo, t.at),
  ],
);

export const bindCodes = pgTable(
  'bind_codes',
  {
    codeHash: text('code_hash').primaryKey(),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    createdBy: text('created_by').notNull(),
    createdAt: at('created_at').notNull(),
    expiresAt: at('expires_at').notNull(),
    usedAt: at('used_at'),
  },
  (t) => [index('bind_codes_teacher').on(t.teacherId)],
);

export const certificates = pgTable(
  'certificates',
  {
    serial: text('serial').primaryKey(),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    year: integer('year'),
    asOf: text('as_of').notNull(),
    cycleStart: text('cycle_start'),
    cycleEnd: text('cycle_end'),
    required: doublePrecision('required'),
    earned: doublePrecision('earned').notNull(),
    remaining: doublePrecision('remaining'),
    yearEarned: doublePrecision('year_earned'),
    name: text('name').notNull(),
    employeeNo: text('employee_no').notNull(),
    school: text('school').notNull(),
    figuresHash: text('figures_hash').notNull(),
    issuedAt: at('issued_at').notNull(),
    issuedBy: text('issued_by').notNull(),
    revokedAt: at('revoked_at'),
    revokedBy: text('revoked_by'),
    revokeReason: text('revoke_reason'),
  },
  (t) => [index('certificates_teacher').on(t.teacherId), index('certificates_employee_no').on(t.employeeNo), index('certificates_issued_at').on(t.issuedAt)],
);

export const declarations = pgTable(
  'declarations',
  {
    id: id(),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    project: text('project').notNull(),
    projectKey: text('project_key').notNull(),
    organiser: text('organiser').notNull(),
    startDate: text('start_date').notNull(),
    endDate: text('end_date').notNull(),
    hours: doublePrecision('hours').notNull(),
    category: text('category').notNull(),
    certificateNo: text('certificate_no'),
    state: text('state', { enum: DECLARATION_STATES }).notNull(),
    currentStep: text('current_step', { enum: DECLARATION_STEPS }),
    recordId: integer('record_id').references(() => records.id),
    returnReason: text('return_reason'),
    recordRevokedAt: at('record_revoked_at'),
    recordRevokeReason: text('record_revoke_reason'),
    createdAt: at('created_at').notNull(),
    submittedAt: at('submitted_at'),
    decidedAt: at('decided_at'),
    updatedAt: at('updated_at').notNull(),
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

export const declarationSteps = pgTable(
  'declaration_steps',
  {
    id: id(),
    declarationId: integer('declaration_id')
      .notNull()
      .references(() => declarations.id),
    step: text('step', { enum: DECLARATION_STEPS }),
    action: text('action', { enum: DECLARATION_ACTIONS }).notNull(),
    actor: text('actor').notNull(),
    actorTeacherId: integer('actor_teacher_id').references(() => teachers.id),
    toTeacherId: integer('to_teacher_id').references(() => teachers.id),
    reason: text('reason'),
    at: at('at').notNull(),
  },
  (t) => [index('declaration_steps_declaration').on(t.declarationId, t.id)],
);

export const declarationAssignees = pgTable(
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

export const declarationFlags = pgTable(
  'declaration_flags',
  {
    id: id(),
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

export const evidenceFiles = pgTable(
  'evidence_files',
  {
    id: id(),
    declarationId: integer('declaration_id').references(() => declarations.id),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    platform: text('platform').notNull(),
    messageId: text('message_id').notNull(),
    accountId: text('account_id').notNull(),
    platformKey: text('platform_key').notNull(),
    kind: text('kind', { enum: EVIDENCE_KINDS }).notNull(),
    fileName: text('file_name'),
    status: text('status', { enum: EVIDENCE_STATUSES }).notNull().default('pending'),
    sha256: text('sha256'),
    size: integer('size'),
    mime: text('mime'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at').notNull(),
    claimedUntil: at('claimed_until'),
    createdAt: at('created_at').notNull(),
    storedAt: at('stored_at'),
  },
  (t) => [
    uniqueIndex('evidence_files_message_key').on(t.platform, t.messageId, t.platformKey),
    index('evidence_files_due').on(t.status, t.nextAttemptAt),
    index('evidence_files_declaration').on(t.declarationId),
    index('evidence_files_sha256').on(t.sha256),
  ],
);

/* ---------- 培训评估与需求调研 (issue 17) ---------- */

/** Also `questionnaires_evaluation_category` (unique on coalesce(category, '') for evaluations) and the default template: migration surveys_extras. */
export const questionnaires = pgTable(
  'questionnaires',
  {
    id: id(),
    kind: text('kind', { enum: SURVEY_KINDS }).notNull(),
    title: text('title').notNull(),
    questions: jsonText('questions').notNull(),
    category: text('category'),
    createdBy: text('created_by').notNull(),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [index('questionnaires_kind').on(t.kind, t.category)],
);

export const surveyRounds = pgTable(
  'survey_rounds',
  {
    id: id(),
    kind: text('kind', { enum: SURVEY_KINDS }).notNull(),
    questionnaireId: integer('questionnaire_id').references(() => questionnaires.id),
    questions: jsonText('questions').notNull(),
    sessionId: integer('session_id').references(() => trainingSessions.id),
    audience: jsonText('audience'),
    title: text('title').notNull(),
    openedAt: at('opened_at').notNull(),
    closesAt: at('closes_at').notNull(),
    remindAt: at('remind_at'),
    remindedAt: at('reminded_at'),
    resultsNotifiedAt: at('results_notified_at'),
    createdBy: text('created_by').notNull(),
  },
  (t) => [uniqueIndex('survey_rounds_session').on(t.sessionId), index('survey_rounds_closes').on(t.closesAt)],
);

export const surveyInvitations = pgTable(
  'survey_invitations',
  {
    roundId: integer('round_id')
      .notNull()
      .references(() => surveyRounds.id),
    teacherId: integer('teacher_id')
      .notNull()
      .references(() => teachers.id),
    tokenHash: text('token_hash').notNull(),
    answered: boolean('answered').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.teacherId] }), uniqueIndex('survey_invitations_token').on(t.tokenHash)],
);

/**
 * Anonymous answers keyed by a random id. SQLite stores them WITHOUT ROWID, in the random id's order; a
 * PostgreSQL heap keeps rows roughly in insertion order, so the physical order (ctid) could hint at when an
 * answer came: docs/postgres.md says what the PostgreSQL path must do about it before surveys run there.
 */
export const surveyAnswers = pgTable(
  'survey_answers',
  {
    id: text('id').primaryKey(),
    roundId: integer('round_id')
      .notNull()
      .references(() => surveyRounds.id),
    answeredOn: text('answered_on').notNull(),
    answers: jsonText('answers').notNull(),
    school: text('school'),
    role: text('role'),
  },
  (t) => [index('survey_answers_round').on(t.roundId)],
);

/** Scheduled jobs claimed per tick: see db/schema.ts. */
export const jobTicks = pgTable(
  'job_ticks',
  {
    tick: at('tick').notNull(),
    job: text('job').notNull(),
    claimedBy: text('claimed_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tick, t.job] })],
);

/** Token buckets for the app-wide send limits, shared by every instance (as in db/schema.ts). */
export const rateBuckets = pgTable('rate_buckets', {
  key: text('key').primaryKey(),
  tokens: doublePrecision('tokens').notNull(),
  refilledAt: at('refilled_at').notNull(),
});
