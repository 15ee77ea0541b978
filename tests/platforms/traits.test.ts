/**
 * Platform traits (issue 15, item 6): the features and the outbox decide by what a platform declares, never by
 * its name. Card forms: a survey invitation is a form card where the platform's cards hold forms, plain text
 * elsewhere. Preference: a teacher bound on several platforms is reached on the first in the registry's order
 * (Feishu, then DingTalk), then on a platform no longer listed, the console last.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../db/client.js';
import { statement } from '../../db/statements.js';
import { declarePlatforms, reachRank, supportsCardForms } from '../../src/core/platform-traits.js';
import { accountsOf } from '../../src/outbox/address.js';
import { PLATFORMS } from '../../src/platforms/registry.js';
import { invitationReply, type InvitationInput } from '../../src/surveys/chat/invitation.js';
import { addTeacher } from '../helpers/seed.js';
import { closeTestDb, openTestDb } from '../helpers/db.js';

const INPUT: InvitationInput = {
  kind: 'evaluation',
  title: '课堂观察',
  date: '2026-12-01',
  questions: [{ key: 'q1', kind: 'text', prompt: '建议', required: false }],
  closesOn: '2026-12-08',
};

async function withDb(run: (db: Db) => Promise<void>): Promise<void> {
  const db = await openTestDb();
  try {
    await run(db);
  } finally {
    await closeTestDb(db);
  }
}

/** Binds one teacher on each platform given, oldest binding first (so the first bound is never simply taken). */
async function teacherBoundOn(db: Db, no: string, platforms: string[]): Promise<number> {
  const id = await addTeacher(db, { employeeNo: no, name: `教师${no}`, school: '一中' });
  const bind = statement(db, `insert into accounts (platform, account_id, teacher_id, created_at) values (?, ?, ?, ?)`);
  for (const [i, platform] of platforms.entries()) await bind.run(platform, `${platform}-${no}`, id, new Date(1_000 + i));
  return id;
}

describe('platform traits', () => {
  afterEach(() => declarePlatforms(PLATFORMS));

  it('each definition declares whether its cards hold forms: Feishu yes, DingTalk and the console no', () => {
    expect(PLATFORMS.map((p) => [p.id, p.supportsCardForms])).toEqual([
      ['feishu', true],
      ['dingtalk', false],
    ]);
    expect(supportsCardForms('feishu')).toBe(true);
    expect(supportsCardForms('dingtalk')).toBe(false);
    expect(supportsCardForms('console')).toBe(false);
  });

  it('a survey invitation is a form card where forms are declared, text elsewhere; the ticket only in the card', () => {
    const feishu = invitationReply(INPUT, 'feishu', '7.ticket-abcdefghijklmnop');
    expect(feishu.card?.form?.args).toBe('7.ticket-abcdefghijklmnop');
    const dingtalk = invitationReply(INPUT, 'dingtalk', '7.ticket-abcdefghijklmnop');
    expect(dingtalk.card).toBeUndefined();
    expect(JSON.stringify(dingtalk)).not.toContain('ticket-abcdefghijklmnop');
    // A third platform gets the card by declaring forms, not by being called feishu.
    expect(invitationReply(INPUT, 'fakechat', 't').card).toBeUndefined();
    declarePlatforms([...PLATFORMS, { id: 'fakechat', supportsCardForms: true }]);
    expect(invitationReply(INPUT, 'fakechat', '7.ticket-abcdefghijklmnop').card?.form?.args).toBe('7.ticket-abcdefghijklmnop');
  });

  it('the address ranks by the registry order: Feishu, DingTalk, an unlisted platform, the console last', async () => {
    expect(['console', 'other', 'dingtalk', 'feishu'].sort((a, b) => reachRank(a) - reachRank(b))).toEqual(['feishu', 'dingtalk', 'other', 'console']);
    await withDb(async (db) => {
      const all = await teacherBoundOn(db, 'T1', ['console', 'other', 'dingtalk', 'feishu']);
      const noFeishu = await teacherBoundOn(db, 'T2', ['console', 'other', 'dingtalk']);
      const unlisted = await teacherBoundOn(db, 'T3', ['console', 'other']);
      const consoleOnly = await teacherBoundOn(db, 'T4', ['console']);
      const reached = async () => [...(await accountsOf(db, [all, noFeishu, unlisted, consoleOnly])).values()].map((a) => a.platform);
      expect(await reached()).toEqual(['feishu', 'dingtalk', 'other', 'console']);
      // Listed first, a new platform is preferred to both; DingTalk listed before Feishu is preferred to it.
      declarePlatforms([{ id: 'other', supportsCardForms: false }, ...PLATFORMS]);
      expect(await reached()).toEqual(['other', 'other', 'other', 'console']);
      declarePlatforms([...PLATFORMS].reverse());
      expect((await accountsOf(db, [all])).get(all)?.platform).toBe('dingtalk');
    });
  });

  it('read before the registry is loaded, a trait fails loudly instead of treating Feishu as unknown', async () => {
    vi.resetModules();
    const fresh = await import('../../src/core/platform-traits.js');
    expect(() => fresh.supportsCardForms('feishu')).toThrow(/registry/);
    expect(() => fresh.reachRank('feishu')).toThrow(/registry/);
  });
});
