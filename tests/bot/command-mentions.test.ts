/**
 * Any message that suggests an action names a command that exists, with the syntax it shows: every 「…」 a text
 * asks people to send (发送「…」, 回复「…」, 例如「…」…) routes to a chat command through the real router, every
 * command's usage starts with its own name, and every `npm run cli -- <name>` names a real CLI subcommand.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { messagesFor } from '../../src/bot/i18n/index.js';
import { Router } from '../../src/bot/router.js';
import { CLI_COMMAND_NAMES } from '../../src/cli/main.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const router = new Router(commands);
const t = messagesFor();

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|tsx|mts|mjs)$/.test(name)) out.push(path);
  }
  return out;
}
const texts = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'commands')), join(root, 'README.md')].map((path) => ({
  path: path.slice(root.length),
  text: readFileSync(path, 'utf8'),
}));

/** 「…」 after a word that asks someone to type it. Button labels (点击「…」) are not commands. */
const SUGGESTION = /(发送|回复|请用|输入|例如|可以问我|问我|改发|再发|请发|直接发)[：:]?\s*「([^」]+)」/g;

/**
 * A command line must start with a command's exact name (the router's fuzzy fallbacks would hide a misspelt
 * one); a question without spaces (「我还差多少学时」) must be understood by the intents.
 */
function suggestsCommand(text: string): boolean {
  const first = text.trim().split(/\s+/)[0];
  if (router.find(first)) return true;
  if (/\s/.test(text.trim())) return false;
  const route = router.route(text);
  return route.kind === 'command' || route.kind === 'someone_else';
}

describe('messages that suggest a command', () => {
  it('every suggested chat command routes to a command', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const { path, text } of texts) {
      for (const m of text.matchAll(SUGGESTION)) {
        const quoted = m[2];
        // A command word filled in at run time (「${verb} 签到码」) cannot be checked here; its callers pass real names.
        if (quoted.startsWith('${')) continue;
        checked++;
        if (!suggestsCommand(quoted.replace(/\$\{[^}]*\}/g, '1'))) broken.push(`${path}: ${m[0]}`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it('every command’s usage starts with one of its own names', () => {
    for (const command of commands.filter((c) => !c.hidden)) {
      const usage = command.help(t).usage;
      const first = usage.split(/\s/)[0];
      expect(router.find(first), `${command.name}: ${usage}`).toBe(command);
    }
  });

  it('every `npm run cli -- <name>` names a CLI subcommand', () => {
    const broken: string[] = [];
    for (const { path, text } of texts) {
      for (const m of text.matchAll(/npm run cli -- ([a-z][a-z-]*)/g)) if (!CLI_COMMAND_NAMES.includes(m[1])) broken.push(`${path}: ${m[0]}`);
    }
    expect(broken).toEqual([]);
  });

  it('the check itself catches a suggestion of a command that does not exist', () => {
    expect(suggestsCommand('撤消记录 R1 原因')).toBe(false);
    expect(suggestsCommand('撤销记录 R1 原因')).toBe(true);
    expect(suggestsCommand('我还差多少学时')).toBe(true);
    expect([...'回复「确认报送 3」'.matchAll(SUGGESTION)].map((m) => m[2])).toEqual(['确认报送 3']);
  });
});
