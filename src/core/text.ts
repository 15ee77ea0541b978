/** Full-width spaces, a leading slash and stray punctuation are how people type on phones. */
export function normalizeText(raw: string): string {
  return raw
    .replace(/\u3000/g, ' ')
    .replace(/^[\s/／]+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}
