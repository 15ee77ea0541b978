import { afterEach, describe, expect, it } from 'vitest';
import { tables } from '../../../db/handle.js';
import { schema } from '../../../db/client.js';
import { assigneesOf } from '../../../src/declarations/store.js';
import { startFeishu, type FeishuHarness } from '../../helpers/fakes/feishu-harness.js';
import { get, signInWithToken, ADMIN_TOKEN } from '../../helpers/admin.js';
import { feishuChat, fillDeclaration } from '../../helpers/declaration-chat.js';
import { recordsOf, staff } from '../../helpers/declarations.js';

/**
 * The only officer declares their own training (issue 13's gap): nobody may decide it — never themself — so the
 * bot says so plainly, the console queue marks it as needing another officer, and once a second officer exists
 * that officer approves it, over the real Feishu webhook.
 */

let h: FeishuHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('an officer declares and is the only officer', () => {
  it('is told nobody can decide it yet, cannot approve it themself, and a second officer can', async () => {
    h = await startFeishu({ ADMIN_TOKEN });
    const db = h.app.db;
    const officer = await staff(db, 'O0001', '钱主任', '教师发展中心', ['officer']);
    const chat = feishuChat(h, 'ou_O0001');

    await fillDeclaration(chat);
    const submitted = (await chat.say('确认提交')).join('\n');
    const [row] = (await db.select().from(tables(db).declarations));
    expect(row).toMatchObject({ teacherId: officer, state: 'pending', currentStep: 'office' });
    expect(submitted).toBe(
      `申报 #${row.id} 已提交，但目前没有人能审核：您是唯一的培训管理员，不能审核自己的申报。请为另一位同事开通培训管理员（npm run cli -- officer add <工号>），由其在后台「学时申报」中审核。`,
    );
    expect(await assigneesOf(db, row.id)).toEqual([]);

    // Never self-approval, however it is tried.
    expect((await chat.say(`通过申报 ${row.id}`)).join('\n')).not.toContain('已通过');
    expect((await db.select().from(tables(db).declarations).limit(1))[0]).toMatchObject({ state: 'pending' });
    expect(await recordsOf(db, officer)).toHaveLength(0);

    // The console queue shows it as waiting for another officer.
    const { cookie } = await signInWithToken(h.app);
    const queue = await (await get(h.app, '/admin/declarations', cookie)).text();
    const rowHtml = new RegExp(`<tr data-id="${row.id}">[\\s\\S]*?</tr>`).exec(queue)?.[0] ?? '';
    expect(rowHtml).toContain('需要另一位培训管理员审核');

    // A second officer decides it; the ledger gets it once.
    await staff(db, 'O0002', '孙老师', '教师发展中心', ['officer']);
    expect((await feishuChat(h, 'ou_O0002').say(`通过申报 ${row.id}`)).join('\n')).toContain(`#${row.id}`);
    expect((await db.select().from(tables(db).declarations).limit(1))[0]).toMatchObject({ state: 'approved' });
    expect(await recordsOf(db, officer)).toHaveLength(1);
    const after = await (await get(h.app, '/admin/declarations?state=all', cookie)).text();
    expect(after).not.toContain('需要另一位培训管理员审核');
  });
});
