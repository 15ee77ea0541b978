/**
 * Platform traits (issue 15, item 6): the features and the outbox decide by what a platform declares, never by
 * its name. Card forms: a survey invitation is a form card where the platform's cards hold forms, plain text
 * elsewhere. Preference: a teacher bound on several platforms is reached on the first in the registry's order
 * (Feishu, then DingTalk), then on a platform no longer listed, the console last.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeDatabase, openDatabase, type Db } from '../../db/client.js';
import { declarePlatforms, reachRank, supportsCardForms } from '../../src/core/platform-traits.js';
import { accountsOf } from '../../src/outbox/address.js';
import { PLATFORMS } from '../../src/platforms/registry.js';
import { invitationReply, type InvitationInput } from '../../src/surveys/chat/invitation.js';
import { addTeacher } from '../helpers/seed.js';

const INPUT: InvitationInput = {
  kind: 'evaluation',
  title: '课堂观察',
  date: '2026-12-01',
  questions: [{ key: 'q1', kind: 'text', prompt: '建议', required: false }],
  closesOn: '2026-12-08',
};

function withDb(run: (db: Db) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-traits-'));
  const db = openDatabase(join(dir, 'xueshi.db'));
  try {
    run(db);
  } finally {
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Binds one teacher on each platform given, oldest binding first (so the first bound is never simply taken). */
function teacherBoundOn(db: Db, no: string, platforms: string[]): number {
  const id = addTeacher(db, { employeeNo: no, name: `教师${no}`, school: '一中' });
  const bind = db.$client.prepare(`insert into accounts (platform, account_id, teacher_id, created_at) values (?, ?, ?, ?)`);
  platforms.forEach((platform, i) => bind.run(platform, `${platform}-${no}`, id, 1_000 + i));
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

  it('the address ranks by the registry order: Feishu, DingTalk, an unlisted platform, the console last', () => {
    expect(['console', 'other', 'dingtalk', 'feishu'].sort((a, b) => reachRank(a) - reachRank(b))).toEqual(['feishu', 'dingtalk', 'other', 'console']);
    withDb((db) => {
      const all = teacherBoundOn(db, 'T1', ['console', 'other', 'dingtalk', 'feishu']);
      const noFeishu = teacherBoundOn(db, 'T2', ['console', 'other', 'dingtalk']);
      const unlisted = teacherBoundOn(db, 'T3', ['console', 'other']);
      const consoleOnly = teacherBoundOn(db, 'T4', ['console']);
      const reached = () => [...accountsOf(db, [all, noFeishu, unlisted, consoleOnly]).values()].map((a) => a.platform);
      expect(reached()).toEqual(['feishu', 'dingtalk', 'other', 'console']);
      // Listed first, a new platform is preferred to both; DingTalk listed before Feishu is preferred to it.
      declarePlatforms([{ id: 'other', supportsCardForms: false }, ...PLATFORMS]);
      expect(reached()).toEqual(['other', 'other', 'other', 'console']);
      declarePlatforms([...PLATFORMS].reverse());
      expect(accountsOf(db, [all]).get(all)?.platform).toBe('dingtalk');
    });
  });

  it('read before the registry is loaded, a trait fails loudly instead of treating Feishu as unknown', async () => {
    vi.resetModules();
    const fresh = await import('../../src/core/platform-traits.js');
    expect(() => fresh.supportsCardForms('feishu')).toThrow(/registry/);
    expect(() => fresh.reachRank('feishu')).toThrow(/registry/);
  });
});
