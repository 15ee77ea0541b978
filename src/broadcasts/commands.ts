import type { Db } from '../../db/client.js';
import type { Messages } from '../bot/i18n/index.js';
import { normalizeText, withoutNumberSign } from '../core/text.js';
import type { Reply } from '../core/messages.js';
import type { BroadcastAudience } from './audience.js';
import { ownerOf, PREVIEW_TTL_MS, type Headcount } from './broadcasts.js';
import { latestBroadcastBy } from './store.js';

/** The broadcast commands a card's button sends, by their public names. */
export const BROADCAST_COMMANDS = {
  confirm: '确认发布',
  cancel: '取消发布',
  progress: '通知进度',
} as const;

/** "12" or "#12" → 12. */
export function parseBroadcastId(word: string): number | null {
  const m = /^(\d{1,9})$/.exec(withoutNumberSign(word.trim()));
  return m ? Number(m[1]) : null;
}

/** The officer's most recent broadcast still waiting for confirmation (so a bare 确认发布 works). */
export function latestPreviewOf(db: Db, teacherId: number, now = Date.now()): Promise<number | null> {
  return latestBroadcastBy(db, ownerOf(teacherId), new Date(now - PREVIEW_TTL_MS));
}

export function latestBroadcastOf(db: Db, teacherId: number): Promise<number | null> {
  return latestBroadcastBy(db, ownerOf(teacherId));
}

/**
 * The router collapses whitespace to find the command; a notice should keep its line breaks. So the body is
 * cut from the raw message text (command word and audience words removed), and used only when it matches
 * what the router parsed; otherwise the parsed, single-line body is used.
 */
export function bodyFromRaw(raw: string | null, audienceWords: number, parsed: string): string {
  const fallback = parsed.trim();
  if (!raw) return fallback;
  let rest = raw.replace(/^[\s\u3000/／]+/, '');
  for (let i = 0; i < audienceWords + 1; i++) {
    const m = /^[^\s\u3000]+[\s\u3000]*/.exec(rest);
    if (!m) return fallback;
    rest = rest.slice(m[0].length);
  }
  const body = rest.replace(/\r\n?/g, '\n').replace(/[ \t\u3000]+$/gm, '').trim();
  return normalizeText(body) === normalizeText(fallback) ? body : fallback;
}

export function audienceText(t: Messages, a: BroadcastAudience): string {
  const m = t.broadcasts.audience;
  if (a.all) return m.all;
  const parts: string[] = [];
  if (a.schools) parts.push(m.schools(a.schools));
  if (a.roles) parts.push(m.roles(a.roles.map((r) => m.roleNames[r] ?? r)));
  return parts.join(' · ');
}

/** The preview: exact counts, the text, and how to confirm (typed, or the card's buttons). */
export function previewReply(t: Messages, id: number, audience: string, body: string, count: Headcount): Reply {
  const m = t.broadcasts.preview;
  const excerpt = body.length > 200 ? `${body.slice(0, 200)}…` : body;
  return {
    text: m.text(id, audience, count.total, count.bound, count.unbound, excerpt),
    card: {
      title: m.title(id),
      tone: 'orange',
      sections: [
        { heading: m.audienceHeading, lines: [audience, m.counts(count.total, count.bound, count.unbound)] },
        { heading: m.bodyHeading, lines: excerpt.split('\n') },
      ],
      buttons: [
        { label: m.confirmButton, value: { command: BROADCAST_COMMANDS.confirm, args: String(id) }, style: 'primary' },
        { label: m.cancelButton, value: { command: BROADCAST_COMMANDS.cancel, args: String(id) }, style: 'danger' },
      ],
      note: m.note(id),
    },
  };
}
