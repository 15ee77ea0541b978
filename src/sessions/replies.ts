import type { Messages } from '../bot/i18n/index.js';
import type { CardSpec, Reply } from '../core/messages.js';
import { projectorKey } from './code.js';
import { hasCheckout, windowOf, type Phase, type SessionRow } from './model.js';
import type { DraftProblem } from './service.js';
import { type SignInOutcome } from './signin.js';
import { SIGN_IN_COMMANDS } from './syntax.js';
import { hhmmIn, whenIn } from '../time/zone.js';

/** "08:30–09:15" in the time zone. */
export function rangeText(session: SessionRow, phase: Phase, timeZone: string): string | null {
  const w = windowOf(session, phase);
  return w ? `${hhmmIn(w.start, timeZone)}–${hhmmIn(w.end, timeZone)}` : null;
}

/** The projector page, relative to the server's public address (the key is the secret part). */
export function projectorPath(session: SessionRow, baseUrl = ''): string {
  return `${baseUrl.replace(/\/+$/, '')}/sessions/${session.id}/checkin?key=${projectorKey(session.secret)}`;
}

/** A sentence for each kind of refused draft: the assignment fails to compile when a kind has none. */
type ProblemWords = { [K in DraftProblem['kind']]: (p: Extract<DraftProblem, { kind: K }>, example?: string) => string };

/** Why a draft was refused, in the catalogue's words; `example` is a date still ahead for the sentences showing one. */
export function problemText(t: Messages, problem: DraftProblem, example?: string): string {
  const words: ProblemWords = t.sessions.problems;
  // Each sentence takes its own kind; TypeScript cannot follow `problem.kind` into the lookup, so it is widened here.
  return (words[problem.kind] as (p: DraftProblem, example?: string) => string)(problem, example);
}

/** Every sign-in / sign-out outcome as one short sentence, times in Beijing time. */
export function signInReply(t: Messages, outcome: SignInOutcome, timeZone: string, today: string, action: 'in' | 'out' = 'in'): Reply {
  const m = t.sessions.signIn;
  const at = (d: Date) => whenIn(d, timeZone, today);
  switch (outcome.kind) {
    case 'signed_in': {
      const s = outcome.session;
      if (outcome.credited) {
        const text = m.signedIn(s.title, at(outcome.at), s.category, s.hours);
        return s.mode === 'button' ? resultCard(t, s, timeZone, text) : { text, tone: 'success' };
      }
      return { text: m.signedInNeedsCheckout(s.title, at(outcome.at), rangeText(s, 'checkout', timeZone)!, s.hours, s.mode === 'button'), tone: 'success' };
    }
    case 'signed_out':
      return { text: m.signedOut(outcome.session.title, at(outcome.at), outcome.session.category, outcome.session.hours), tone: 'success' };
    case 'already_signed_in':
      return { text: m.alreadyIn(outcome.session.title, at(outcome.at)), tone: 'info' };
    case 'already_signed_out':
      return { text: m.alreadyOut(outcome.session.title, at(outcome.at)), tone: 'info' };
    case 'not_signed_in':
      return { text: m.notSignedIn(outcome.session.title), tone: 'error' };
    case 'no_checkout':
      return { text: m.noCheckout(outcome.session.title), tone: 'error' };
    case 'too_early':
      return { text: m.tooEarly(outcome.session.title, outcome.phase, at(outcome.opensAt)), tone: 'error' };
    case 'too_late':
      return { text: m.tooLate(outcome.session.title, outcome.phase, at(outcome.closedAt)), tone: 'error' };
    case 'cancelled':
      return { text: m.cancelled(outcome.session.title), tone: 'error' };
    case 'closed':
      return { text: m.closed(outcome.session.title), tone: 'error' };
    case 'not_in_audience':
      return { text: m.notInAudience(outcome.session.title), tone: 'error' };
    case 'other_session':
      return { text: m.otherSession(outcome.session.title, outcome.mine.title), tone: 'error' };
    case 'expired_code':
      return { text: m.expired, tone: 'error' };
    case 'wrong_code':
      return { text: m.wrong, tone: 'error' };
    case 'code_required':
      return { text: m.codeRequired(outcome.session.title, action), tone: 'error' };
    case 'unknown_session':
      return { text: m.unknownSession, tone: 'error' };
    case 'need_code':
      return { text: m.needCode(outcome.session?.title ?? null, action), tone: 'error' };
    case 'locked':
      return { text: m.locked(at(outcome.until), outcome.justLocked), tone: 'error' };
  }
}

/** Button mode: the card with 签到 (and 签退) buttons; a click comes back as `签到 #<id>` typed by the clicker. */
export function signInCard(t: Messages, session: SessionRow, timeZone: string, text?: string): Reply {
  const c = t.sessions.card;
  const checkin = rangeText(session, 'checkin', timeZone)!;
  const lines = [c.when(session.date, checkin), c.credit(session.category, session.hours)];
  const buttons: NonNullable<CardSpec['buttons']> = [
    { label: c.signIn, value: { command: SIGN_IN_COMMANDS.signIn, args: `#${session.id}` }, style: 'primary' },
  ];
  if (hasCheckout(session)) {
    lines.push(c.checkout(rangeText(session, 'checkout', timeZone)!));
    buttons.push({ label: c.signOut, value: { command: SIGN_IN_COMMANDS.signOut, args: `#${session.id}` }, style: 'default' });
  }
  return {
    text: text ?? c.text(session.title, session.date, checkin),
    card: { title: c.title(session.title), tone: 'blue', sections: [{ lines }], buttons, note: c.note },
  };
}

/** A clicked 签到 card, redrawn with the outcome in place of its note, so the card itself shows it worked. */
function resultCard(t: Messages, session: SessionRow, timeZone: string, text: string): Reply {
  const card = signInCard(t, session, timeZone, text);
  return { ...card, tone: 'success', card: card.card && { ...card.card, tone: 'green', note: text } };
}
