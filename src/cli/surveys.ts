/**
 * `npm run cli -- surveys …`: the evaluation's question templates, per session category (issue 17).
 *   surveys template show [--category X] [--json]
 *   surveys template set [--category X] --file q.json [--title T] [--by NAME]
 * A file is validated whole (src/surveys/questions.ts) before anything is written; a bad one changes nothing.
 */
import { readFileSync } from 'node:fs';
import type { Db } from '../../db/client.js';
import { transaction } from '../../db/statements.js';
import { surveysText as S } from '../bot/i18n/zh-CN.surveys.js';
import type { Clock } from '../clock.js';
import { audit } from '../ledger/audit.js';
import { normaliseCategory, type PolicyPreset } from '../policy/schema.js';
import { checkQuestions, optionsOf } from '../surveys/questions.js';
import { saveEvaluationTemplate } from '../surveys/store.js';
import { templateFor } from '../surveys/templates.js';
import { EXIT, loadApp, parse, withDatabase, type CliIo } from './context.js';

export interface SurveysCliDeps {
  db: Db;
  clock: Clock;
  /** The default policy's preset: its categories are the session categories a template may be for. */
  preset: PolicyPreset | undefined;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

const MAX_TITLE = 40;

export async function runSurveysCli(argv: string[], deps: SurveysCliDeps): Promise<number> {
  const out = (s: string) => deps.stdout.write(`${s}\n`);
  const fail = (s: string) => {
    deps.stderr.write(`${s}\n`);
    return EXIT.badInput;
  };
  const [area, sub, ...rest] = argv;
  if (area !== 'template' || (sub !== 'show' && sub !== 'set')) {
    if (area === 'help' || area === '--help') {
      out(S.cli.usage);
      return EXIT.ok;
    }
    return fail(`${area ? S.cli.unknownSub([area, sub].filter(Boolean).join(' ')) : ''}${S.cli.usage}`);
  }
  const { values } = parse(rest, {
    category: { type: 'string' },
    file: { type: 'string' },
    title: { type: 'string' },
    by: { type: 'string' },
    json: { type: 'boolean' },
  }, S.cli.usage, { min: 0, max: 0 });
  let category: string | null = null;
  if (values.category !== undefined) {
    category = deps.preset ? normaliseCategory(deps.preset, values.category) : null;
    if (!category) return fail(S.cli.unknownCategory(values.category, deps.preset?.categories.map((c) => c.key) ?? []));
  }
  if (sub === 'show') {
    const template = await templateFor(deps.db, category);
    if (values.json) {
      out(JSON.stringify(template.questions, null, 2));
      return EXIT.ok;
    }
    if (category && template.isDefault) out(S.cli.noTemplate(category));
    out(S.cli.heading(template.row.title, template.row.category));
    template.questions.forEach((q, i) => out(S.cli.questionLine(i + 1, q.prompt, q.kind, q.required, q.kind === 'choice' ? optionsOf(q) : [])));
    return EXIT.ok;
  }
  if (!values.file) return fail(`${S.cli.fileMissing}\n${S.cli.usage}`);
  let text: string;
  try {
    text = readFileSync(values.file, 'utf8');
  } catch (error) {
    return fail(S.cli.fileUnreadable(values.file, (error as Error).message));
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return fail(S.cli.notJson(values.file, (error as Error).message));
  }
  const checked = checkQuestions(json);
  if (!checked.ok) return fail(S.cli.invalid(checked.problems));
  const title = (values.title ?? '').trim() || S.cli.defaultTitle;
  if (title.length > MAX_TITLE) return fail(S.cli.titleLong);
  const by = `cli:${values.by ?? 'cli'}`;
  await transaction(deps.db, async (tx) => {
    const row = await saveEvaluationTemplate(tx, { category, title, questions: checked.questions, by, now: deps.clock.now() });
    await audit(tx, by, 'survey_template_set', { questionnaireId: row.id, category, questions: checked.questions.length });
  });
  out(S.cli.saved(category, checked.questions.length));
  return EXIT.ok;
}

/** The entry src/cli/main.ts loads: `surveys: async () => (await import('./surveys.js')).surveysCommand`. */
export async function surveysCommand(args: string[], io: CliIo): Promise<number> {
  const app = loadApp(io);
  const preset = app.presets.get(app.config.DEFAULT_POLICY);
  return withDatabase(app.config, (db) => runSurveysCli(args, { db, clock: app.clock, preset, stdout: io.stdout, stderr: io.stderr }));
}
