import { transaction } from '../../../db/statements.js';
import { forget } from '../../bot/chat-state.js';
import { statesOlderThan } from '../../bot/store.js';
import { declarationChat as D } from '../../bot/i18n/zh-CN.declarations.js';
import { isPlatformId } from '../../core/messages.js';
import { enqueue } from '../../outbox/store.js';
import type { TickContext } from '../../schedule/context.js';
import { DRAFT_KEY, type DeclarationDraft } from './draft.js';

/** A draft untouched this long is dropped, and its teacher told. */
export const DRAFT_LIFETIME_MS = 24 * 3600_000;

function projectOf(json: string): string | null {
  try {
    return (JSON.parse(json) as Partial<DeclarationDraft>).project ?? null;
  } catch {
    return null;
  }
}

/**
 * Scheduled: every half-filled 学时申报 draft last touched a day ago or more is deleted, and the account that
 * was filling it gets one notice (held in quiet hours like any scheduled message). The notice's key names the
 * draft's last change, so a second tick, or a restart between enqueue and delete, cannot send it twice.
 */
export async function expireDeclarationDrafts(ctx: TickContext): Promise<number> {
  const { db, now } = ctx;
  const before = new Date(now.getTime() - DRAFT_LIFETIME_MS);
  let expired = 0;
  for (;;) {
    if (ctx.overBudget()) return expired;
    const rows = await statesOlderThan(db, DRAFT_KEY, before);
    if (rows.length === 0) return expired;
    await transaction(db, async (db) => {
      for (const row of rows) {
        await forget(db, row, DRAFT_KEY);
        if (!isPlatformId(row.platform)) continue;
        const key = `declaration-draft-expired:${row.platform}:${row.accountId}:${row.updatedAt.getTime()}`;
        await enqueue(
          db,
          [
            {
              platform: row.platform,
              target: { type: 'user', accountId: row.accountId },
              reply: { text: D.expired(projectOf(row.value)) },
              idempotencyKey: key,
              origin: key,
              quiet: true,
            },
          ],
          ctx.transportNow,
        );
        expired++;
      }
    });
  }
}
