/** @jsxImportSource hono/jsx */
/** Charts drawn on the server as inline SVG: no chart library, no script, prints and works offline. */
import { behindShare, type SchoolTally } from '../../admin/compliance/overview.js';
import { a } from './context.js';

const COLOURS = { behind: '#e0484d', onPace: '#2f6fed', done: '#1f9d60', none: '#b7bfcc' } as const;
const GRID = '#e8ecf2';
const INK = '#4b5565';
const FAINT = '#8a93a3';

/** Long school names are cut so the bars keep their room. */
function clip(text: string, max: number): string {
  return [...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text;
}

/** One 100 % stacked bar per school (behind first, so the longest red is the most urgent), worst first. */
export function SchoolBars(props: { schools: SchoolTally[]; link: (school: string) => string }) {
  const rows = props.schools;
  const width = 660;
  const labelW = 168;
  const valueW = 64;
  const barW = width - labelW - valueW - 8;
  const rowH = 27;
  const top = 22;
  const height = top + rows.length * rowH + 6;
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={a.dashboard.bySchoolChart}>
      {[0, 0.25, 0.5, 0.75, 1].map((f) => (
        <>
          <line x1={labelW + f * barW} x2={labelW + f * barW} y1={top - 6} y2={height - 4} stroke={GRID} stroke-width="1" />
          <text x={labelW + f * barW} y={12} font-size="11" fill={FAINT} text-anchor="middle">
            {`${f * 100}%`}
          </text>
        </>
      ))}
      {rows.map((s, i) => {
        const y = top + i * rowH;
        const total = s.teachers || 1;
        let x = labelW;
        const seg = (n: number, colour: string, label: string) => {
          const w = (n / total) * barW;
          const rect = w > 0 ? <rect x={x} y={y + 5} width={Math.max(0, w)} height={rowH - 11} fill={colour} rx="2"><title>{a.chartTip(s.school, label, n)}</title></rect> : null;
          x += w;
          return rect;
        };
        return (
          <g>
            <a href={props.link(s.school)}>
              <text x={labelW - 10} y={y + rowH / 2 + 4} font-size="12.5" fill={INK} text-anchor="end">
                {clip(s.school, 12)}
              </text>
            </a>
            {seg(s.behind, COLOURS.behind, a.status.behind)}
            {seg(s.onPace, COLOURS.onPace, a.status.onPace)}
            {seg(s.done, COLOURS.done, a.status.done)}
            {seg(s.none, COLOURS.none, a.status.none)}
            <text x={width - 4} y={y + rowH / 2 + 4} font-size="12.5" fill={COLOURS.behind} text-anchor="end" font-weight="600">
              {`${Math.round(behindShare(s) * 100)}%`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}


/**
 * How far teachers are along their cycle's pace: ten 10 % buckets and one for 100 % and more, each bar split by
 * status (a teacher on pace for the cycle can still be behind on a yearly minimum such as 校本研修).
 */
export function ProgressHistogram(props: { buckets: Record<'done' | 'onPace' | 'behind', number>[] }) {
  const width = 520;
  const height = 250;
  const left = 46;
  const right = 10;
  const top = 18;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const totals = props.buckets.map((b) => b.done + b.onPace + b.behind);
  const max = Math.max(1, ...totals);
  const step = niceStep(max / 4);
  const ceiling = Math.ceil(max / step) * step;
  const slot = plotW / props.buckets.length;
  const barW = slot * 0.72;
  const ticks: number[] = [];
  for (let v = 0; v <= ceiling; v += step) ticks.push(v);
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={a.dashboard.histogram}>
      {ticks.map((v) => {
        const y = top + plotH - (v / ceiling) * plotH;
        return (
          <>
            <line x1={left} x2={width - right} y1={y} y2={y} stroke={GRID} stroke-width="1" />
            <text x={left - 8} y={y + 4} font-size="11" fill={FAINT} text-anchor="end">
              {a.int(v)}
            </text>
          </>
        );
      })}
      <line x1={left + 10 * slot} x2={left + 10 * slot} y1={top - 4} y2={top + plotH} stroke="#9aa3b2" stroke-width="1" stroke-dasharray="3 3" />
      {props.buckets.map((b, i) => {
        const x = left + i * slot + (slot - barW) / 2;
        const label = i === 10 ? '≥100%' : `${i * 10}–${i * 10 + 10}%`;
        let y = top + plotH;
        const seg = (n: number, colour: string, name: string) => {
          if (n <= 0) return null;
          const h = (n / ceiling) * plotH;
          y -= h;
          return (
            <rect x={x} y={y} width={barW} height={h} fill={colour}>
              <title>{a.chartTip(label, name, n)}</title>
            </rect>
          );
        };
        const parts = [seg(b.behind, COLOURS.behind, a.status.behind), seg(b.onPace, COLOURS.onPace, a.status.onPace), seg(b.done, COLOURS.done, a.status.done)];
        return (
          <g>
            {parts}
            {totals[i] > 0 ? (
              <text x={x + barW / 2} y={y - 5} font-size="10.5" fill={INK} text-anchor="middle">
                {a.int(totals[i])}
              </text>
            ) : null}
            <text x={x + barW / 2} y={top + plotH + 16} font-size="10.5" fill={FAINT} text-anchor="middle">
              {i === 10 ? '≥100' : String(i * 10)}
            </text>
          </g>
        );
      })}
      <text x={left + plotW / 2} y={height - 6} font-size="11" fill={FAINT} text-anchor="middle">
        {a.dashboard.histogramAxis}
      </text>
    </svg>
  );
}

function niceStep(raw: number): number {
  if (raw <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/** Overall status split as a ring, with the behind share in the middle. */
export function StatusRing(props: { done: number; onPace: number; behind: number; none: number }) {
  const total = props.done + props.onPace + props.behind + props.none;
  const r = 52;
  const c = 2 * Math.PI * r;
  let offset = 0;
  const parts = (['behind', 'onPace', 'done', 'none'] as const).map((k) => {
    const len = total ? (props[k] / total) * c : 0;
    const el = len > 0 ? <circle r={r} cx="70" cy="70" fill="none" stroke={COLOURS[k]} stroke-width="16" stroke-dasharray={`${len} ${c - len}`} stroke-dashoffset={-offset} transform="rotate(-90 70 70)" /> : null;
    offset += len;
    return el;
  });
  const counted = total - props.none;
  return (
    <svg class="chart" viewBox="0 0 140 140" style="max-width:150px" role="img">
      <circle r={r} cx="70" cy="70" fill="none" stroke="#edf0f5" stroke-width="16" />
      {parts}
      <text x="70" y="68" font-size="22" font-weight="650" fill={COLOURS.behind} text-anchor="middle">
        {counted ? `${Math.round((props.behind / counted) * 100)}%` : '—'}
      </text>
      <text x="70" y="88" font-size="11" fill={FAINT} text-anchor="middle">
        {a.status.behind}
      </text>
    </svg>
  );
}
