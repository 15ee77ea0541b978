/** @jsxImportSource hono/jsx */
/**
 * A group's survey results as the console draws them: per question its answer distribution as inline SVG bars
 * (drawn on the server: no chart library, no script), the mean of a rating, and the comments. A suppressed group
 * (under MIN_GROUP_SIZE answers) shows its count and nothing else, whatever the question.
 */
import { surveysConsoleText as C } from '../../bot/i18n/zh-CN.surveys-console.js';
import { shownComments, suppressionNote } from '../../surveys/export.js';
import type { GroupResults, QuestionResult } from '../../surveys/results.js';
import { Alert } from './components.js';

const BAR = '#2f6fed';
const TRACK = '#edf0f5';
const INK = '#4b5565';
const FAINT = '#8a93a3';

const share = (n: number, total: number) => (total > 0 ? `${Math.round((n / total) * 100)}%` : '0%');

/** One horizontal bar per option, longest = most answers; the count and share at the right. */
export function DistributionBars(props: { question: QuestionResult }) {
  const rows = props.question.distribution ?? [];
  const total = rows.reduce((s, d) => s + d.count, 0);
  const width = 560;
  const labelW = 150;
  const valueW = 84;
  const barW = width - labelW - valueW - 8;
  const rowH = 26;
  const height = rows.length * rowH + 4;
  const max = Math.max(1, ...rows.map((d) => d.count));
  return (
    <svg class="chart survey-bars" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={C.round.chart(props.question.prompt)}>
      {rows.map((d, i) => {
        const y = i * rowH + 2;
        const w = (d.count / max) * barW;
        return (
          <g>
            <text x={labelW - 10} y={y + rowH / 2 + 4} font-size="12.5" fill={INK} text-anchor="end">
              {[...d.label].length > 12 ? `${[...d.label].slice(0, 11).join('')}…` : d.label}
            </text>
            <rect x={labelW} y={y + 5} width={barW} height={rowH - 10} fill={TRACK} rx="2" />
            {d.count > 0 ? (
              <rect class="bar" data-count={d.count} x={labelW} y={y + 5} width={w.toFixed(1)} height={rowH - 10} fill={BAR} rx="2">
                <title>{C.round.barTip(d.label, d.count, share(d.count, total))}</title>
              </rect>
            ) : null}
            <text x={width - 4} y={y + rowH / 2 + 4} font-size="12" fill={d.count ? INK : FAINT} text-anchor="end">
              {`${d.count} · ${share(d.count, total)}`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function QuestionBlock(props: { question: QuestionResult; index: number }) {
  const q = props.question;
  const comments = shownComments(q);
  return (
    <div class="survey-question" data-key={q.key}>
      <h3>{`${props.index + 1}. ${q.prompt}`}</h3>
      <div class="sub">
        {C.round.answeredOf(q.answered)}
        {q.mean !== undefined ? <span class="survey-mean">{` · ${C.round.mean(q.mean)}`}</span> : null}
      </div>
      {q.kind === 'text' ? (
        <details class="survey-comments" open>
          <summary>{C.round.comments(comments.length)}</summary>
          {comments.length ? (
            <ul>
              {comments.map((text) => (
                <li>{text}</li>
              ))}
            </ul>
          ) : (
            <p class="muted">{C.round.noComments}</p>
          )}
        </details>
      ) : (
        <DistributionBars question={q} />
      )}
    </div>
  );
}

/** A group's results: the questions, or (under the minimum group size) the count only. */
export function GroupResultsView(props: { results: GroupResults; pooled?: number }) {
  const r = props.results;
  const note = suppressionNote(r, props.pooled);
  if (r.suppressed) {
    return (
      <div class="survey-suppressed">
        <Alert kind="info">{note}</Alert>
      </div>
    );
  }
  return (
    <div class="survey-results">
      {note ? <p class="muted survey-pooled">{note}</p> : null}
      {r.questions.map((q, i) => (
        <QuestionBlock question={q} index={i} />
      ))}
    </div>
  );
}

/** The invited / answered / response-rate header cells every results table starts its counts with. */
export function CountHeads() {
  return (
    <>
      <th class="num">{C.list.invited}</th>
      <th class="num">{C.list.answered}</th>
      <th class="num">{C.list.rate}</th>
    </>
  );
}

/** The XLSX and CSV links of a page's export (`base` without extension, `query` kept as is). */
export function ExportLinks(props: { base: string; query?: string }) {
  return (
    <>
      <a class="btn btn-small" href={`${props.base}.xlsx${props.query ?? ''}`}>
        {C.export.xlsx}
      </a>
      <a class="btn btn-small" href={`${props.base}.csv${props.query ?? ''}`}>
        {C.export.csv}
      </a>
    </>
  );
}
