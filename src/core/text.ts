import { createHmac, randomBytes } from 'node:crypto';

/** Full-width spaces, a leading slash and stray punctuation are how people type on phones. */
export function normalizeText(raw: string): string {
  return raw
    .replace(/\u3000/g, ' ')
    .replace(/^[\s/／]+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Full-width digits as phones type them: "１２３" → "123". */
export function asciiDigits(raw: string): string {
  return raw.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}

/** A command word as typed: full-width letters folded (ｈｏｕｒｓ → hours), trailing 。？！ and commas dropped. */
export function commandWord(word: string): string {
  return word.normalize('NFKC').replace(/[?!。.,，]+$/, '');
}

/** "#12" or "＃12" → "12": the number sign people type before an id, half- or full-width. */
export function withoutNumberSign(word: string): string {
  return word.replace(/^[#＃]/, '');
}

/**
 * Keyed per process: the same text gives the same mark within one run (an operator can see that one message was
 * sent again and again), while a mark in a log cannot be checked against guessed words (a comment, a name, an
 * ID number: short texts are easy to guess, so a plain hash would give them away).
 */
const TEXT_MARK_KEY = randomBytes(32);

/**
 * What a log may say about a message someone typed: its length and a short mark, never the words. People type
 * anything into a chat (a comment after an evaluation closed, a phone number), and logs travel further than the
 * database.
 */
export function textForLog(text: string): { length: number; mark: string } {
  return { length: [...text].length, mark: createHmac('sha256', TEXT_MARK_KEY).update(text).digest('hex').slice(0, 10) };
}
