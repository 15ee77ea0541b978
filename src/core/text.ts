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
