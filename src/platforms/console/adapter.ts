import { randomUUID } from 'node:crypto';
import type { Bot } from '../../bot/bot.js';
import type { Clock } from '../../clock.js';
import type { OutboxMessage } from '../../outbox/outbox.js';
import type { SendResult, Sender } from '../../outbox/sender.js';
import type { PlatformAdapter } from '../adapter.js';

/** The terminal as a platform: same inbox, router, commands and outbox as Feishu and DingTalk. */
export class ConsoleAdapter implements PlatformAdapter {
  readonly platform = 'console';
  readonly sender: Sender;
  private listeners: ((reply: OutboxMessage) => void)[] = [];

  constructor(private readonly bot: Bot, private readonly clock: Clock) {
    const self = this;
    this.sender = {
      platform: 'console',
      limitsFor: () => [],
      async send(message: OutboxMessage): Promise<SendResult> {
        for (const l of self.listeners) l(message);
        return { status: 'sent', platformMessageId: `console-${message.id}` };
      },
    };
  }

  /** Subscribes to sent replies; returns the unsubscribe function. */
  onReply(listener: (reply: OutboxMessage) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Types a line as the given local account; resolves when the bot has handled it. */
  async say(text: string, accountId = 'local'): Promise<void> {
    const id = randomUUID();
    const accepted = this.bot.accept({
      kind: 'message',
      platform: 'console',
      eventId: id,
      messageId: id,
      accountId,
      chatId: `console:${accountId}`,
      chatType: 'direct',
      text,
      receivedAt: this.clock.now().getTime(),
      replyVia: {},
    });
    if (accepted) await this.bot.drain();
  }

  status(): string {
    return 'console: on (npm run chat)';
  }
}
