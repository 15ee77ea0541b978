import type { Command } from './command.js';
import { matchIntent } from './intents.js';
import { commandWord, normalizeText } from '../core/text.js';

export type Route =
  | { kind: 'command'; command: Command; argText: string }
  | { kind: 'someone_else'; command: Command }
  | { kind: 'unknown'; suggestion: Command | null }
  | { kind: 'empty' };

export class Router {
  private readonly byName = new Map<string, Command>();
  private readonly namesLongestFirst: string[];

  constructor(private readonly commands: readonly Command[]) {
    for (const c of commands) {
      for (const name of [c.name, ...c.aliases]) {
        const key = name.toLowerCase();
        if (this.byName.has(key)) throw new Error(`duplicate command name: ${name}`);
        this.byName.set(key, c);
      }
    }
    this.namesLongestFirst = [...this.byName.keys()].sort((a, b) => b.length - a.length);
  }

  find(name: string): Command | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** The command whose name is the message's first word, exactly (no intents, no guessing). */
  named(raw: string): { command: Command; argText: string } | null {
    const [first, ...rest] = normalizeText(raw).split(' ');
    // Full-width letters (ｈｏｕｒｓ) match their plain names; the arguments stay as typed (a broadcast's text).
    const command = this.find(commandWord(first));
    return command ? { command, argText: rest.join(' ') } : null;
  }

  route(raw: string): Route {
    const text = normalizeText(raw);
    if (!text) return { kind: 'empty' };
    const first = text.split(' ')[0];
    const exact = this.named(text);
    if (exact) return { kind: 'command', ...exact };

    const intent = matchIntent(text);
    if (intent) {
      const command = this.find(intent.command);
      if (command) return intent.aboutSomeoneElse ? { kind: 'someone_else', command } : { kind: 'command', command, argText: intent.argText ?? '' };
    }

    // "绑定T0001 张三": a command name glued to its first argument.
    const lower = text.toLowerCase();
    for (const name of this.namesLongestFirst) {
      const command = this.byName.get(name)!;
      if (command.positional.length > 0 && lower.startsWith(name) && /[A-Za-z0-9]/.test(lower[name.length] ?? '')) {
        return { kind: 'command', command, argText: text.slice(name.length).trim() };
      }
    }
    return { kind: 'unknown', suggestion: this.suggest(first) };
  }

  /** The command whose name is nearest the first word (edit distance), or that shares a character with it. */
  private suggest(word: string): Command | null {
    let best: { command: Command; score: number } | null = null;
    for (const [name, command] of this.byName) {
      if (command.hidden) continue;
      const distance = editDistance(word.toLowerCase(), name);
      const score = distance / Math.max(word.length, name.length);
      if (score <= 0.5 && (!best || score < best.score)) best = { command, score };
    }
    if (best) return best.command;
    for (const c of this.commands) if (!c.hidden && [...c.name].some((ch) => word.includes(ch))) return c;
    return null;
  }
}

export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}
