import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { certificateChat } from '../../bot/i18n/zh-CN.certificates.js';
import { readAttachment } from '../../outbox/attachments.js';
import type { Bot } from '../../bot/bot.js';
import type { MessageAttachment } from '../../core/messages.js';
import type { Clock } from '../../clock.js';
import type { OutboxMessage } from '../../outbox/outbox.js';
import type { SendResult, Sender } from '../../outbox/sender.js';
import type { PlatformAdapter } from '../adapter.js';
import { consoleResources } from './resources.js';

/** The terminal as a platform: same inbox, router, commands and outbox as Feishu and DingTalk. */
export class ConsoleAdapter implements PlatformAdapter {
  readonly platform = 'console';
  readonly sender: Sender;
  readonly resources = consoleResources;
  private listeners: ((reply: OutboxMessage) => void)[] = [];

  /** `filesDir`: where reply attachments are stored; a file reply is copied out under its own name there. */
  constructor(private readonly bot: Bot, private readonly clock: Clock, private readonly filesDir?: string) {
    const self = this;
    this.sender = {
      platform: 'console',
      limitsFor: () => [],
      async send(message: OutboxMessage): Promise<SendResult> {
        const shown = self.withSavedFile(message);
        for (const l of self.listeners) l(shown);
        return { status: 'sent', platformMessageId: `console-${message.id}` };
      },
    };
  }

  /** The terminal cannot show a file: it is written to files/console/<name> and its path added to the text. */
  private withSavedFile(message: OutboxMessage): OutboxMessage {
    const file = message.reply.file;
    if (!file || !this.filesDir) return message;
    const dir = join(this.filesDir, 'console');
    mkdirSync(dir, { recursive: true });
    const path = resolve(dir, basename(file.name));
    writeFileSync(path, readAttachment(this.filesDir, file));
    const reply = { ...message.reply, text: `${message.reply.text}\n${certificateChat.consoleSaved(path)}` };
    return { ...message, reply };
  }

  /** Subscribes to sent replies; returns the unsubscribe function. */
  onReply(listener: (reply: OutboxMessage) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Types a line (or attaches files, with `text` '') as the given local account; resolves when the bot has handled it. */
  async say(text: string, accountId = 'local', attachments?: MessageAttachment[]): Promise<void> {
    const id = randomUUID();
    const accepted = await this.bot.accept({
      kind: 'message',
      platform: 'console',
      eventId: id,
      messageId: id,
      accountId,
      chatId: `console:${accountId}`,
      chatType: 'direct',
      text,
      ...(attachments?.length ? { attachments } : {}),
      receivedAt: this.clock.now().getTime(),
      replyVia: {},
    });
    if (accepted) await this.bot.drain();
  }

  status(): string {
    return 'console: on (npm run chat)';
  }
}
