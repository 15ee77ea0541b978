/** @jsxImportSource hono/jsx */
/**
 * One round's results: response rate, per question the distribution (SVG bars), the mean and the comments, or the
 * count only under MIN_GROUP_SIZE; for a needs survey also by school and by 职务 and how its invitations are
 * being delivered. Exports: /admin/surveys/<id>.xlsx|csv, and /admin/surveys/<id>-school|-role.xlsx|csv.
 */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { surveysConsoleText as C } from '../../../bot/i18n/zh-CN.surveys-console.js';
import { surveysText as S } from '../../../bot/i18n/zh-CN.surveys.js';
import { EXPORT_WIDTHS, resultRows, type ExportGroup } from '../../../surveys/export.js';
import { roundResults, surveyResultsByGroup, type RoundResults } from '../../../surveys/results.js';
import { inviteOrigin } from '../../../surveys/service.js';
import { invitationDelivery, type RoundRow } from '../../../surveys/store.js';
import { getSession } from '../../../sessions/store.js';
import { dateTimeIn } from '../../../time/zone.js';
import { DataTable, Panel, Stat } from '../components.js';
import { flash, takeFlash, type AdminEnv, type AdminServices } from '../context.js';
import { Page, PageHead } from '../layout.js';
import { CountHeads, ExportLinks, GroupResultsView } from '../survey-results.js';
import { download } from './exports.js';

type GroupBy = 'school' | 'role';

export function mountSurveyRound(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const tz = svc.config.TIMEZONE;

  const sessionLabel = async (round: RoundRow) => {
    const session = round.sessionId === null ? null : await getSession(svc.db, round.sessionId);
    return session ? S.results.sessionLabel(session.id, session.title, session.date) : null;
  };

  /** The round as one export group, or its school / 职务 groups. */
  const exportGroups = async (r: RoundResults, by: GroupBy | undefined): Promise<ExportGroup[]> =>
    by
      ? (await surveyResultsByGroup(svc.db, r.round.id, by)).map((g) => ({ label: g.group, rounds: null, results: g }))
      : [{ label: (await sessionLabel(r.round)) ?? r.round.title, rounds: null, results: r }];

  admin.get('/surveys/:file{[0-9]{1,12}(-(school|role))?\\.(csv|xlsx)}', async (c) => {
    const [, id, by, format] = /^(\d+)(?:-(school|role))?\.(csv|xlsx)$/.exec(c.req.param('file'))!;
    const r = await roundResults(svc.db, Number(id));
    // By school and 职务 exists for needs surveys only: an evaluation's answers carry neither.
    if (!r || (by && r.round.kind !== 'survey')) return c.notFound();
    const name = by ? C.export.surveyGroupFile(r.round.title, by === 'school' ? C.round.bySchool : C.round.byRole) : C.export.file(r.round.title);
    return download(c, resultRows(await exportGroups(r, by as GroupBy | undefined)), name, format, C.export.sheet, EXPORT_WIDTHS);
  });

  admin.get('/surveys/:id{[0-9]{1,12}}', async (c) => {
    const user = c.get('user');
    const r = await roundResults(svc.db, Number(c.req.param('id')));
    if (!r) {
      flash(c, 'err', C.round.notFound, svc.secureCookies);
      return c.redirect('/admin/surveys', 303);
    }
    const round = r.round;
    const survey = round.kind === 'survey';
    const by: GroupBy | null = survey && (c.req.query('by') === 'school' || c.req.query('by') === 'role') ? (c.req.query('by') as GroupBy) : null;
    const kind = C.kinds[round.kind];
    const session = await sessionLabel(round);
    const delivery = survey ? await invitationDelivery(svc.db, inviteOrigin(round.id)) : null;
    const unbound = delivery ? r.invited - delivery.pending - delivery.sent - delivery.failed : 0;
    const tabs: [GroupBy | null, string][] = [
      [null, C.round.overall],
      ['school', C.round.bySchool],
      ['role', C.round.byRole],
    ];
    const groups = by ? await surveyResultsByGroup(svc.db, round.id, by) : [];
    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={round.title} nav="surveys" user={user} flash={takeFlash(c)} refreshSeconds={delivery?.pending ? 3 : undefined}>
          <PageHead
            title={C.round.title(kind, round.title)}
            sub={session ? C.round.sessionLine(session) : undefined}
            crumbs={[{ href: '/admin/surveys', label: C.title }, { label: `#${round.id}` }]}
          >
            <ExportLinks base={`/admin/surveys/${round.id}${by ? `-${by}` : ''}`} />
          </PageHead>
          <Panel style="margin-bottom:18px">
            <p class="muted" style="margin:0 0 10px">{survey ? C.round.surveyNote : C.round.evaluationNote}</p>
            <div class="bigstat" id="round-stats">
              <Stat label={C.round.stats.invited} value={r.invited} />
              <Stat label={C.round.stats.answered} value={r.answered} colour="var(--done)" />
              <Stat label={C.round.stats.rate} value={C.round.rate(r.responseRate)} />
              <Stat label={C.round.stats.closes} value={dateTimeIn(round.closesAt, tz)} />
            </div>
            {delivery ? (
              <div class="bigstat" id="delivery">
                <Stat label={C.round.delivered} value={delivery.sent} colour="var(--done)" />
                <Stat label={C.round.pending} value={delivery.pending} colour="var(--pace)" />
                <Stat label={C.round.failed} value={delivery.failed} colour={delivery.failed ? 'var(--behind)' : undefined} />
                <Stat label={C.round.unbound} value={unbound} colour="var(--faint)" />
              </div>
            ) : null}
          </Panel>
          {survey ? (
            <div class="actions" style="margin-bottom:14px">
              {tabs.map(([key, label]) => (
                <a class={key === by ? 'btn btn-small btn-primary' : 'btn btn-small'} href={`/admin/surveys/${round.id}${key ? `?by=${key}` : ''}`}>
                  {label}
                </a>
              ))}
            </div>
          ) : null}
          {by ? (
            <>
              <Panel style="margin-bottom:18px">
                <DataTable
                  rows={groups}
                  wrap
                  head={
                    <>
                      <th>{by === 'school' ? C.round.bySchool : C.round.byRole}</th>
                      <CountHeads />
                    </>
                  }
                  row={(g) => (
                    <tr data-group={g.group}>
                      <td>{g.group}</td>
                      <td class="num">{g.invited}</td>
                      <td class="num">{g.answered}</td>
                      <td class="num">{C.round.rate(g.responseRate)}</td>
                    </tr>
                  )}
                />
              </Panel>
              {groups.map((g) => (
                <Panel title={g.group} class="survey-group" style="margin-bottom:14px">
                  <GroupResultsView results={g} />
                </Panel>
              ))}
            </>
          ) : (
            <Panel>
              <GroupResultsView results={r} />
            </Panel>
          )}
        </Page>
      )}`,
    );
  });
}
