import type { Xueshi } from '../../app.js';
import type { MessageAttachment } from '../../core/messages.js';
import { consoleText } from '../../bot/i18n/zh-CN.console.js';
import { bindAccount } from '../../ledger/accounts.js';
import { findTeacherByAccount, findTeacherByEmployeeNo, type TeacherRow } from '../../ledger/store.js';

/**
 * A console conversation: one local account, replies collected from the outbox as they are sent.
 * The console is the local operator's tool (who holds the database file anyway), so `/as` may pick any identity.
 */
export class ConsoleSession {
  constructor(private readonly app: Xueshi, public accountId = 'local') {}

  /** Sends a line (or, with `text` '', attachments) and returns the replies it produced, in order. */
  async send(text: string, attachments?: MessageAttachment[]): Promise<string[]> {
    const replies: string[] = [];
    const off = this.capture(replies);
    try {
      await this.app.console.say(text, this.accountId, attachments);
      await this.app.outbox.whenIdle();
    } finally {
      off();
    }
    return replies;
  }

  /** Who this console speaks as (null until /as or 绑定). */
  teacher(): Promise<TeacherRow | null> {
    return findTeacherByAccount(this.app.db, 'console', this.accountId);
  }

  /** Switches this console to the given roster entry (console only). */
  async actAs(employeeNo: string): Promise<{ ok: true; name: string } | { ok: false; message: string }> {
    const teacher = await findTeacherByEmployeeNo(this.app.db, employeeNo);
    if (!teacher) return { ok: false, message: consoleText.actAs.notInRoster(employeeNo) };
    this.accountId = `local:${employeeNo}`;
    const outcome = await bindAccount(this.app.db, 'console', this.accountId, teacher.id);
    if (!outcome.ok) return { ok: false, message: consoleText.actAs.boundElsewhere(employeeNo) };
    return { ok: true, name: teacher.name };
  }

  private capture(into: string[]): () => void {
    return this.app.console.onReply((m) => {
      const t = m.target;
      const forMe = t.type === 'user' ? t.accountId === this.accountId : t.chatId === `console:${this.accountId}`;
      if (forMe) into.push(m.reply.text);
    });
  }
}
