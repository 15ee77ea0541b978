/** @jsxImportSource hono/jsx */
/**
 * 培训评估与需求调研 on the console (issue 17): the rounds (evaluations by session, needs surveys) with filters, the
 * evaluations grouped by session, trainer or project, and their exports. Numbers come from src/surveys/results.ts,
 * which holds every group under MIN_GROUP_SIZE to its count; the pages and the files show nothing more.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { surveysConsoleText as C } from '../../../bot/i18n/zh-CN.surveys-console.js';
import { isValidDate } from '../../../policy/dates.js';
import { EXPORT_WIDTHS, resultRows } from '../../../surveys/export.js';
import { resultsBy, type GroupedResults } from '../../../surveys/results.js';
import { evaluationRoundsWithSessions, invitationCounts, listRounds, type RoundRow } from '../../../surveys/store.js';
import { dateIn, zonedInstant } from '../../../time/zone.js';
import type { SessionRow } from '../../../sessions/model.js';
import { Alert, DataTable, Field, Panel } from '../components.js';
import { takeFlash, type AdminEnv, type AdminServices } from '../context.js';
import { Page, PageHead } from '../layout.js';
import { CountHeads, ExportLinks, GroupResultsView } from '../survey-results.js';
import { download } from './exports.js';
import { mountSurveyRound } from './survey-round.js';
import { mountSurveyCompose } from './survey-compose.js';

const BY = ['session', 'trainer', 'project'] as const;
type By = (typeof BY)[number];

interface Filters {
  from?: string;
  to?: string;
  category?: string;
  trainer?: string;
  project?: string;
}

/** The query's filters; a date that is not a calendar date is refused with the sentence to show. */
function filtersOf(c: Context): { filters: Filters; problem: string | null } {
  const filters: Filters = {};
  let problem: string | null = null;
  for (const key of ['from', 'to'] as const) {
    const raw = (c.req.query(key) ?? '').trim();
    if (!raw) continue;
    if (isValidDate(raw)) filters[key] = raw;
    else problem = C.filters.badDate(raw);
  }
  for (const key of ['category', 'trainer', 'project'] as const) {
    const raw = (c.req.query(key) ?? '').trim();
    if (raw) filters[key] = raw;
  }
  return { filters, problem };
}

const query = (f: Filters) => {
  const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]).toString();
  return q ? `?${q}` : '';
};

const distinct = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => Boolean(v?.trim())))].sort((x, y) => x.localeCompare(y, 'zh-CN'));

function Select(props: { name: string; label: string; options: string[]; value?: string }) {
  return (
    <Field label={props.label}>
      <select name={props.name}>
        <option value="">{C.filters.any}</option>
        {props.options.map((o) => (
          <option value={o} selected={o === props.value}>
            {o}
          </option>
        ))}
      </select>
    </Field>
  );
}

function Counts(props: { n: { invited: number; answered: number } }) {
  const { n } = props;
  return (
    <>
      <td class="num">{n.invited}</td>
      <td class="num">{n.answered}</td>
      <td class="num">{C.round.rate(n.invited ? n.answered / n.invited : 0)}</td>
    </>
  );
}

export function mountSurveys(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const tz = svc.config.TIMEZONE;
  const state = (round: RoundRow) => (round.closesAt.getTime() > svc.clock.now().getTime() ? C.list.open : C.list.closed);

  admin.get('/surveys', async (c) => {
    const user = c.get('user');
    const { filters: f, problem } = filtersOf(c);
    const all = problem ? [] : await evaluationRoundsWithSessions(svc.db, f.from, f.to);
    const evaluations = all.filter(
      ({ session: s }) => (!f.category || s.category === f.category) && (!f.trainer || s.trainer === f.trainer) && (!f.project || s.project === f.project),
    );
    const surveys = problem
      ? []
      : await listRounds(svc.db, {
          kind: 'survey',
          from: f.from ? zonedInstant(f.from, '00:00', tz) : undefined,
          to: f.to ? new Date(zonedInstant(f.to, '00:00', tz).getTime() + 24 * 3600_000) : undefined,
        });
    const counts = new Map<number, { invited: number; answered: number }>();
    for (const round of [...evaluations.map((r) => r.round), ...surveys]) counts.set(round.id, await invitationCounts(svc.db, round.id));
    const categories = distinct(all.map((r) => r.session.category));
    const EvaluationRow = (props: { round: RoundRow; session: SessionRow }) => (
      <tr data-round={props.round.id}>
        <td>
          <a href={`/admin/surveys/${props.round.id}`}>{props.session.title}</a>
          <div class="sub">{`${props.session.date} · ${props.session.category}`}</div>
        </td>
        <td class="small">{props.session.trainer ?? '—'}</td>
        <td class="small">{props.session.project ?? '—'}</td>
        <Counts n={counts.get(props.round.id)!} />
        <td>
          <span class="badge">{state(props.round)}</span>
        </td>
      </tr>
    );
    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={C.title} nav="surveys" user={user} flash={takeFlash(c)}>
          <PageHead title={C.title} sub={C.intro}>
            <a class="btn btn-primary" href="/admin/surveys/new">
              {C.list.newSurvey}
            </a>
            <a class="btn" href="/admin/surveys/templates">
              {C.list.templates}
            </a>
          </PageHead>
          <form method="get" action="/admin/surveys" class="inline-form" id="filters" style="margin-bottom:14px">
            <Field label={C.filters.from}>
              <input type="date" name="from" value={f.from ?? ''} />
            </Field>
            <Field label={C.filters.to}>
              <input type="date" name="to" value={f.to ?? ''} />
            </Field>
            <Select name="category" label={C.filters.category} options={categories} value={f.category} />
            <Select name="trainer" label={C.filters.trainer} options={distinct(all.map((r) => r.session.trainer))} value={f.trainer} />
            <Select name="project" label={C.filters.project} options={distinct(all.map((r) => r.session.project))} value={f.project} />
            <button class="btn btn-primary" type="submit">
              {C.filters.apply}
            </button>
          </form>
          {problem ? <Alert kind="err">{problem}</Alert> : null}
          <Panel
            title={C.list.evaluations}
            head={
              <div class="actions">
                <span class="muted">{C.list.groupBy}</span>
                {BY.map((by) => (
                  <a class="btn btn-small" href={`/admin/surveys/by/${by}${query({ from: f.from, to: f.to })}`}>
                    {C.list.by[by]}
                  </a>
                ))}
              </div>
            }
            style="margin-bottom:18px"
          >
            <DataTable
              rows={evaluations}
              empty={C.list.noEvaluations}
              wrap
              head={
                <>
                  <th>{C.list.session}</th>
                  <th>{C.list.trainer}</th>
                  <th>{C.list.project}</th>
                  <CountHeads />
                  <th>{C.list.state}</th>
                </>
              }
              row={(r) => <EvaluationRow round={r.round} session={r.session} />}
            />
          </Panel>
          <Panel title={C.list.surveys}>
            <DataTable
              rows={surveys}
              empty={C.list.noSurveys}
              wrap
              head={
                <>
                  <th>{C.compose.surveyTitle}</th>
                  <th>{C.list.closes}</th>
                  <CountHeads />
                  <th>{C.list.state}</th>
                </>
              }
              row={(round) => (
                <tr data-round={round.id}>
                  <td>
                    <a href={`/admin/surveys/${round.id}`}>{round.title}</a>
                    <div class="sub">{dateIn(round.openedAt, tz)}</div>
                  </td>
                  <td class="nowrap">{dateIn(round.closesAt, tz)}</td>
                  <Counts n={counts.get(round.id)!} />
                  <td>
                    <span class="badge">{state(round)}</span>
                  </td>
                </tr>
              )}
            />
          </Panel>
        </Page>
      )}`,
    );
  });

  const grouped = async (c: Context, by: By): Promise<{ groups: GroupedResults[]; filters: Filters; problem: string | null }> => {
    const { filters, problem } = filtersOf(c);
    return { groups: problem ? [] : await resultsBy(svc.db, { by, from: filters.from, to: filters.to }), filters, problem };
  };

  admin.get('/surveys/by/:name{(session|trainer|project)(\\.(csv|xlsx))?}', async (c) => {
    const [name, format] = c.req.param('name').split('.') as [By, string | undefined];
    const { groups, filters, problem } = await grouped(c, name);
    if (format) {
      if (problem) return c.text(problem, 400);
      const rows = resultRows(groups.map((g) => ({ label: g.label, rounds: g.rounds, pooled: g.pooled, results: g })));
      return download(c, rows, C.export.groupFile(C.list.by[name]), format, C.export.sheet, EXPORT_WIDTHS);
    }
    const dates = query({ from: filters.from, to: filters.to });
    const overall = (g: GroupedResults) => g.questions.find((q) => q.kind === 'rating' && q.mean !== undefined)?.mean;
    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={C.groups.title(C.list.by[name])} nav="surveys" user={c.get('user')}>
          <PageHead title={C.groups.title(C.list.by[name])} crumbs={[{ href: '/admin/surveys', label: C.title }, { label: C.list.by[name] }]}>
            <ExportLinks base={`/admin/surveys/by/${name}`} query={dates} />
          </PageHead>
          <form method="get" action={`/admin/surveys/by/${name}`} class="inline-form" style="margin-bottom:14px">
            <Field label={C.filters.from}>
              <input type="date" name="from" value={filters.from ?? ''} />
            </Field>
            <Field label={C.filters.to}>
              <input type="date" name="to" value={filters.to ?? ''} />
            </Field>
            <button class="btn btn-primary" type="submit">
              {C.filters.apply}
            </button>
          </form>
          {problem ? <Alert kind="err">{problem}</Alert> : null}
          <Panel style="margin-bottom:18px">
            <DataTable
              rows={groups}
              empty={C.groups.none}
              wrap
              head={
                <>
                  <th>{C.groups.group}</th>
                  <th class="num">{C.groups.rounds}</th>
                  <CountHeads />
                  <th class="num">{C.groups.overallMean}</th>
                </>
              }
              row={(g, i) => (
                <tr data-group={g.key ?? ''}>
                  <td>
                    <a href={`#group-${i}`}>{g.label}</a>
                  </td>
                  <td class="num">{g.rounds}</td>
                  <td class="num">{g.invited}</td>
                  <td class="num">{g.answered}</td>
                  <td class="num">{C.round.rate(g.responseRate)}</td>
                  <td class="num">{g.suppressed ? C.groups.tooFew : (overall(g)?.toFixed(2) ?? '—')}</td>
                </tr>
              )}
            />
          </Panel>
          {groups.map((g, i) => (
            <Panel title={g.label} class="survey-group" style="margin-bottom:14px">
              <a id={`group-${i}`} />
              <GroupResultsView results={g} pooled={g.pooled} />
            </Panel>
          ))}
        </Page>
      )}`,
    );
  });

  mountSurveyCompose(admin, svc);
  mountSurveyRound(admin, svc);
}
