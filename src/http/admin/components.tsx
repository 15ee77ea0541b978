/** @jsxImportSource hono/jsx */
/**
 * The building blocks the console's pages share: panels, tables, form fields, choices, notes and one-click
 * actions. Markup only, no rules: each renders exactly what the pages used to write out by hand.
 */
import type { Child } from 'hono/jsx';
import type { ConsoleUser } from '../../admin/auth.js';

/** A white card; with a title (and whatever goes beside it, e.g. a legend or a note) in its head. */
export function Panel(props: { title?: Child; head?: Child; class?: string; style?: string; children?: Child }) {
  const hasHead = props.title !== undefined || props.head !== undefined;
  return (
    <div class={props.class ? `panel ${props.class}` : 'panel'} style={props.style}>
      {hasHead ? (
        <div class="panel-head">
          {props.title !== undefined ? <h2>{props.title}</h2> : null}
          {props.head}
        </div>
      ) : null}
      {props.children}
    </div>
  );
}

/**
 * A table of rows: `head` holds the header cells (no header row without it), `row` draws one row. With `empty`,
 * no rows show that text instead of an empty table; `wrap` lets a wide table scroll sideways.
 */
export function DataTable<T>(props: { rows: readonly T[]; row: (item: T, index: number) => Child; head?: Child; empty?: string; wrap?: boolean; style?: string }) {
  if (props.rows.length === 0 && props.empty !== undefined) return <div class="empty">{props.empty}</div>;
  const table = (
    <table class="table" style={props.style}>
      {props.head !== undefined ? (
        <thead>
          <tr>{props.head}</tr>
        </thead>
      ) : null}
      <tbody>{props.rows.map((item, i) => props.row(item, i))}</tbody>
    </table>
  );
  return props.wrap ? <div class="table-wrap">{table}</div> : table;
}

/**
 * A labelled form field: the label above, the control(s), an optional hint and what is wrong with it below. A single control sits in a
 * <label> (clicking the text focuses it); `group` makes it a <div> for a set of controls (radios, a time range).
 */
export function Field(props: { label: Child; hint?: Child; error?: string; group?: boolean; style?: string; children?: Child }) {
  const inner = (
    <>
      <span>{props.label}</span>
      {props.children}
      {props.hint !== undefined ? <span class="hint">{props.hint}</span> : null}
      {props.error ? <span class="field-err">{props.error}</span> : null}
    </>
  );
  return props.group ? (
    <div class="field" style={props.style}>
      {inner}
    </div>
  ) : (
    <label class="field" style={props.style}>
      {inner}
    </label>
  );
}

/** A row of radio buttons or checkboxes, `[value, label]` each; `showWhen` ties it to another choice (admin.js). */
export function Choices(props: {
  type?: 'radio' | 'checkbox';
  name: string;
  options: readonly (readonly [string, Child])[];
  checked: readonly string[] | ReadonlySet<string>;
  required?: boolean;
  showWhen?: string;
}) {
  const checked = new Set(props.checked);
  return (
    <div data-show-when={props.showWhen} class="choices">
      {props.options.map(([value, label]) => (
        <label>
          <input type={props.type ?? 'radio'} name={props.name} value={value} checked={checked.has(value)} required={props.required} />
          {label}
        </label>
      ))}
    </div>
  );
}

export type AlertKind = 'ok' | 'err' | 'warn' | 'info';

/** A coloured one-line note: a result, a refusal, a warning. */
export function Alert(props: { kind: AlertKind; children?: Child }) {
  return <div class={`flash ${props.kind}`}>{props.children}</div>;
}

/** What was wrong with a form, above its fields (nothing when all is well). */
export function FormError(props: { error?: string | null }) {
  return props.error ? <Alert kind="err">{props.error}</Alert> : null;
}

export function CsrfField(props: { user: ConsoleUser }) {
  return <input type="hidden" name="_csrf" value={props.user.csrfToken} />;
}

/** One button that POSTs to `action` (with the CSRF token), asking `confirm` first when given. */
export function PostButton(props: { action: string; user: ConsoleUser; label: Child; class?: string; confirm?: string; children?: Child }) {
  return (
    <form method="post" action={props.action}>
      <CsrfField user={props.user} />
      {props.children}
      <button class={props.class} type="submit" data-confirm={props.confirm}>
        {props.label}
      </button>
    </form>
  );
}

/** A big number with its label under it (counts on the dashboard, imports, broadcasts). */
export function Stat(props: { label: Child; value: Child; colour?: string; liveKey?: string }) {
  return (
    <div>
      <div class="v" style={props.colour ? `color:${props.colour}` : undefined} data-live-key={props.liveKey}>
        {props.value}
      </div>
      <div class="l">{props.label}</div>
    </div>
  );
}
