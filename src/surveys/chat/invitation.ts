import { surveysText as S } from '../../bot/i18n/zh-CN.surveys.js';
import type { CardForm, Platform, Reply } from '../../core/messages.js';
import { supportsCardForms } from '../../core/platform-traits.js';
import { MAX_TEXT_ANSWER, optionsOf, type Questions } from '../questions.js';

/** The command a Feishu form's submit runs (commands/survey-form.ts): `<round>.<token> {fields}`. */
export const SURVEY_FORM_COMMAND = 'survey-form';

export type SurveyKind = 'evaluation' | 'survey';

export interface InvitationInput {
  kind: SurveyKind;
  title: string;
  /** Evaluations: the session's date. */
  date: string | null;
  questions: Questions;
  /** closesAt as a Beijing date. */
  closesOn: string;
}

/** `<round id>.<one-time token>`: what the form's submit carries back, so a click proves it holds the invitation. */
export function ticketOf(roundId: number, token: string): string {
  return `${roundId}.${token}`;
}

export function parseTicket(raw: string): { roundId: number; token: string } | null {
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{16,64})$/.exec(raw.trim());
  return m ? { roundId: Number(m[1]), token: m[2] } : null;
}

function introLines(input: InvitationInput): string[] {
  const n = input.questions.length;
  return [
    input.kind === 'evaluation' ? S.invite.evaluationIntro(input.title, input.date ?? '', n) : S.invite.surveyIntro(input.title, n),
    input.kind === 'evaluation' ? S.invite.anonymous : S.invite.notAnonymous,
    S.invite.deadline(input.closesOn),
  ];
}

/** The fields of the Feishu form: a select per rating or choice question, an input per text question. */
export function formFields(questions: Questions): CardForm['fields'] {
  return questions.map((q, i) => {
    const label = S.invite.fieldLabel(i + 1, q.prompt, q.required);
    return q.kind === 'text'
      ? { name: q.key, label, placeholder: S.invite.write, required: q.required, maxLength: MAX_TEXT_ANSWER }
      : { name: q.key, label, placeholder: `${label} ${S.invite.choose}`, options: optionsOf(q), required: q.required };
  });
}

/**
 * What an invitee receives. Where cards hold forms (Feishu) a card with a form (every question, one submit) whose
 * submit carries the ticket; elsewhere plain text saying how to answer step by step (no ticket: the token's plaintext is kept only
 * where it is needed, in the card).
 */
export function invitationReply(input: InvitationInput, platform: Platform, ticket: string): Reply {
  const lines = introLines(input);
  const title = input.kind === 'evaluation' ? S.invite.evaluationTitle(input.title) : S.invite.surveyTitle(input.title);
  if (!supportsCardForms(platform)) return { text: [title, ...lines, S.invite.howText(input.kind)].join('\n') };
  return {
    text: [title, ...lines, S.invite.howCard(input.kind)].join('\n'),
    card: {
      title,
      tone: 'blue',
      sections: [{ lines }],
      form: { command: SURVEY_FORM_COMMAND, args: ticket, fields: formFields(input.questions), submitLabel: S.invite.submit(input.kind) },
      note: S.invite.howCard(input.kind),
    },
  };
}

/** The card that replaces a submitted form (so it cannot be sent again) and the message kept in the chat. */
export function thanksReply(kind: SurveyKind): Reply {
  const text = S.flow.thanks(kind);
  return { text, tone: 'success', card: { title: S.flow.thanksTitle, tone: 'green', sections: [{ lines: [text] }] } };
}
