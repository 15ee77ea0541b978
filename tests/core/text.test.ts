/** What people type around a command, folded one way for every feature (src/core/text.ts). */
import { describe, expect, it } from 'vitest';
import { asciiDigits, commandWord, withoutNumberSign } from '../../src/core/text.js';
import { DeclarationIdArgs } from '../../src/declarations/chat/listing.js';
import { parseBroadcastId } from '../../src/broadcasts/commands.js';
import { declarationChat as D } from '../../src/bot/i18n/zh-CN.declarations.js';

describe('core/text', () => {
  it('full-width digits become ASCII, nothing else changes', () => {
    expect(asciiDigits('１２３ ４５６')).toBe('123 456');
    expect(asciiDigits('签到 ０９8')).toBe('签到 098');
  });

  it('a command word folds full-width letters and drops trailing punctuation', () => {
    expect(commandWord('ｈｏｕｒｓ')).toBe('hours');
    expect(commandWord('学时？')).toBe('学时');
    expect(commandWord('帮助。')).toBe('帮助');
  });

  it('one number sign, half- or full-width, comes off an id', () => {
    expect(withoutNumberSign('#12')).toBe('12');
    expect(withoutNumberSign('＃12')).toBe('12');
    expect(withoutNumberSign('##12')).toBe('#12');
    expect(withoutNumberSign('12')).toBe('12');
  });

  it('declaration and broadcast ids take 12, #12 and ＃12, and nothing else', () => {
    for (const typed of ['12', '#12', '＃12']) {
      expect(DeclarationIdArgs.parse({ id: typed })).toEqual({ id: 12 });
      expect(parseBroadcastId(typed)).toBe(12);
    }
    for (const typed of ['##12', '1x', '1234567890', '']) {
      const r = DeclarationIdArgs.safeParse({ id: typed });
      expect(r.success ? null : r.error.issues[0]?.message, typed).toBe(D.badId);
      expect(parseBroadcastId(typed), typed).toBeNull();
    }
  });
});
