import { writeFileSync } from 'node:fs';
import { tables } from '../../../db/handle.js';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { schema } from '../../../db/client.js';
import type { EvidenceWorker } from '../../../src/declarations/evidence/worker.js';
import { consoleCommand } from '../../../src/platforms/console/commands.js';
import { ConsoleSession } from '../../../src/platforms/console/session.js';
import { eventually, type DingtalkHarness } from '../../helpers/fakes/dingtalk-harness.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { dingtalkEvidenceWorker } from '../../helpers/evidence.js';
import { ANSWERS, dingtalkSchool, draftsOf, seedSchool } from '../../helpers/declaration-chat.js';

/**
 * 学时申报 in chat over DingTalk (signed robot callbacks, a fake OpenAPI: replies on the session webhook, direct
 * messages through batchSend) and in the console (`npm run chat`, /attach for the certificate).
 */

let dh: DingtalkHarness | undefined;
let app: TestApp | undefined;
let worker: EvidenceWorker | undefined;
afterEach(async () => {
  await worker?.stop();
  await dh?.close();
  await app?.cleanup();
  dh = app = worker = undefined;
});

describe('申报 over DingTalk', () => {
  it('takes a picture message as evidence, corrects a wrong answer, and submits', async () => {
    const { h, chat, school } = await dingtalkSchool();
    dh = h;
    expect((await chat.say('申报学时')).join()).toContain('第 1/7 步');
    await chat.say(ANSWERS.project);
    await chat.say(ANSWERS.organiser);
    expect((await chat.say('3月1日到5日')).join()).toContain('学时数');
    expect((await chat.say('0')).join()).toContain('学时须大于 0');
    await chat.say('24');
    expect((await chat.say('校本培训')).join()).toContain('证书编号');
    await chat.say('无');
    expect((await chat.image()).join()).toContain('已收到 1 份证明材料');
    const summary = (await chat.say('完成')).join();
    expect(summary).toContain('2026年3月1日至2026年3月5日');
    expect(summary).toContain('类别：校本研修');
    expect(summary).toContain('确认提交');
    const done = (await chat.say('确认提交')).join();
    expect(done).toMatch(/已提交，申报编号 #\d+/);
    const rows = (await h.app.db.select().from(tables(h.app.db).declarations));
    expect(rows).toEqual([expect.objectContaining({ teacherId: school.teacherId, category: '校本研修', startDate: '2026-03-01', endDate: '2026-03-05', state: 'pending' })]);
    const evidence = (await h.app.db.select().from(tables(h.app.db).evidenceFiles));
    expect(evidence).toEqual([expect.objectContaining({ declarationId: rows[0].id, platform: 'dingtalk', kind: 'image' })]);
    // The worker that has the harness's DingTalk source fetches the picture.
    worker = dingtalkEvidenceWorker(h);
    await eventually(async () => (await h.app.db.select().from(tables(h.app.db).evidenceFiles))[0].status === 'stored', 5000, 'evidence stored');
    // (The exact repeat is the Feishu test's: a session webhook takes about 20 replies a minute, which a second
    // pass through the form here would run into.)
  });

  it('started in a group, the steps come by direct message and the group only hears where they went', async () => {
    const { h, chat } = await dingtalkSchool();
    dh = h;
    const answers = await chat.sayInGroup('申报');
    expect(answers.find((a) => a.direct)?.text).toContain('第 1/7 步');
    expect(answers.filter((a) => !a.direct).map((a) => a.text).join()).not.toContain('第 1/7 步');
    expect((await chat.say(ANSWERS.project)).join()).toContain('主办单位');
    expect((await chat.say('取消')).join()).toContain('已取消');
    expect((await draftsOf(h.app.db))).toHaveLength(0);
  });
});

describe('申报 in the console', () => {
  it('walks the same steps, /attach sending the certificate', async () => {
    app = await createTestApp();
    await seedSchool(app.db, 'console', { teacher: 'local:T0001', leader: 'local:T0100' });
    const session = new ConsoleSession(app, 'local:T0001');
    const say = async (text: string) => (await session.send(text)).join('\n');
    expect(await say('申报')).toContain('第 1/7 步');
    for (const answer of [ANSWERS.project, ANSWERS.organiser, ANSWERS.dates, ANSWERS.hours, ANSWERS.category]) await say(answer);
    expect(await say('修改')).toContain('要修改哪一项');
    expect(await say(ANSWERS.certificateNo)).toContain('照片');
    const path = join(app.dir, '结业证书.pdf');
    writeFileSync(path, '%PDF-1.4 test');
    const attach = (await consoleCommand(app.db, session, `/attach ${path}`))!.attach!;
    expect((await session.send('', attach)).join()).toContain('已收到 1 份证明材料');
    const summary = await say('完成');
    expect(summary).toContain(`证书编号：${ANSWERS.certificateNo}`);
    expect(await say('确认提交')).toMatch(/已提交，申报编号 #\d+/);
    expect((await app.db.select().from(tables(app.db).declarations))).toHaveLength(1);
  });
});
