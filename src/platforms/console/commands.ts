/**
 * The terminal chat's own commands (/as, /whoami, /cast, /attach, /help, /quit): who am I, become someone else,
 * the demo's cast. Everything else goes to the bot as a message, other "/" lines too (/hours is the bot's). The console is the local operator's tool (who holds the
 * database file anyway), so `/as` may pick any identity, by 工号 or by role (教师 / 校长 / 管理员).
 */
import { statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import type { Db } from '../../../db/client.js';
import type { MessageAttachment } from '../../core/messages.js';
import { messagesFor } from '../../bot/i18n/index.js';
import { roleLabel } from '../../bot/i18n/zh-CN.roles.js';
import { rolesOf, type TeacherRow } from '../../ledger/store.js';
import { castText, resolveIdentity } from './cast.js';
import type { ConsoleSession } from './session.js';

const text = messagesFor('zh-CN').console;

async function rolesText(db: Db, teacher: TeacherRow): Promise<string> {
  const held = await rolesOf(db, teacher);
  const roles = [...held].filter((r) => r !== 'teacher' || held.size === 1);
  return text.roles(roles.map(roleLabel));
}

export async function whoamiText(db: Db, session: ConsoleSession): Promise<string> {
  const me = await session.teacher();
  return me ? text.nowAs(me.name, me.employeeNo, await rolesText(db, me)) : text.nobody;
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.gif', '.webp']);

/**
 * `/attach <path>`: a local file sent as if attached in a chat. The key is the absolute path; the evidence worker
 * reads it from there (and checks its content like any download), the extension only picks image or file.
 */
export function localAttachment(path: string): MessageAttachment | null {
  const absolute = resolve(path);
  try {
    if (!statSync(absolute).isFile()) return null;
  } catch {
    return null;
  }
  const kind = IMAGE_EXTENSIONS.has(extname(absolute).toLowerCase()) ? 'image' : 'file';
  return { kind, key: absolute, name: basename(absolute) };
}

export interface ConsoleCommandResult {
  output: string[];
  quit?: boolean;
  /** Send these to the bot as one message with no text (`/attach`). */
  attach?: MessageAttachment[];
}

/**
 * Handles one line typed in the terminal chat: a console command's output, or null when the line is a message
 * for the bot (any line that is not one of the console's own commands, whether or not it starts with "/").
 * `quit` asks the chat to end.
 */
export async function consoleCommand(
  db: Db,
  session: ConsoleSession,
  line: string,
  blurbs?: ReadonlyMap<string, string>,
): Promise<ConsoleCommandResult | null> {
  const m = /^[/／](\S+)\s*(.*)$/.exec(line.trim());
  if (!m) return null;
  const [cmd, arg] = [m[1].toLowerCase(), m[2].trim()];
  switch (cmd) {
    case 'quit':
    case 'exit':
    case 'q':
      return { output: [], quit: true };
    case 'as':
    case '切换': {
      if (!arg) return { output: [text.asUsage] };
      const teacher = await resolveIdentity(db, arg);
      if (!teacher) return { output: [text.noSuchPerson(arg)] };
      const result = await session.actAs(teacher.employeeNo);
      if (!result.ok) return { output: [text.boundElsewhere(teacher.employeeNo)] };
      return { output: [text.switched(teacher.name, teacher.employeeNo, await rolesText(db, teacher))] };
    }
    case 'whoami':
    case '我是谁':
      return { output: [await whoamiText(db, session)] };
    case 'cast':
    case '角色':
      return { output: await castText(db, blurbs) };
    case 'attach':
    case '附件': {
      if (!arg) return { output: [text.attachUsage] };
      const attachment = localAttachment(arg.replace(/^(["'])(.*)\1$/, '$2'));
      return attachment ? { output: [], attach: [attachment] } : { output: [text.attachMissing(arg)] };
    }
    case 'help':
    case '帮助':
      return { output: [text.commands] };
    default:
      return null;
  }
}

/** One line typed in the terminal chat, answered: the console's own output, else the bot's replies, as printed. */
export async function answerConsoleLine(
  db: Db,
  session: ConsoleSession,
  line: string,
  blurbs?: ReadonlyMap<string, string>,
): Promise<{ printed: string[]; quit: boolean }> {
  const own = await consoleCommand(db, session, line, blurbs);
  if (own?.quit) return { printed: [], quit: true };
  const printed = own?.output.length ? [own.output.join('\n')] : [];
  const replies = own ? (own.attach ? await session.send('', own.attach) : []) : line.trim() ? await session.send(line.trim()) : [];
  return { printed: [...printed, ...replies.map(text.botSays)], quit: false };
}
