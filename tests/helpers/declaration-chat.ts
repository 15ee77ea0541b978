import { schema, type Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { bindAccount } from '../../src/ledger/accounts.js';
import { startDingtalk, type DingtalkHarness } from './fakes/dingtalk-harness.js';
import { callbackBody } from './fakes/dingtalk-sign.js';
import { startFeishu, type FeishuHarness } from './fakes/feishu-harness.js';
import { waitFor } from './fakes/feishu-platform.js';
import { BOT_NAME, BOT_OPEN_ID, messageEvent } from './fakes/feishu-sign.js';
import { addTeacher } from './seed.js';
import { jpeg } from './evidence.js';

/**
 * A teacher talking to the bot over a real webhook, and what came back to them: each call sends one real-format
 * message (Feishu encrypted and signed, DingTalk signed), waits until it is handled and sent, and returns the
 * texts delivered meanwhile (a card as its JSON, so its words are searchable).
 */
export interface TeacherChat {
  say(text: string): Promise<string[]>;
  /** A photo of the certificate, as the platform delivers an image message; `gone`: the platform no longer has it. */
  image(o?: { gone?: boolean }): Promise<string[]>;
  /** The same text @-mentioning the bot in a group; the result says where each answer went. */
  sayInGroup(text: string): Promise<{ text: string; direct: boolean }[]>;
}

export const TEACHER_OPEN_ID = 'ou_84aad35d084aa403a838cf73ee18467';
export const LEADER_OPEN_ID = 'ou_leader0000000000000000000000001';
export const TEACHER_STAFF_ID = 'manager4711';
export const LEADER_STAFF_ID = 'leader0815';

export interface School {
  teacherId: number;
  leaderId: number;
}

/** 张三 (T0001) of 第一中学 and its leader 李校长 (T0100), both bound on the given platform. */
export async function seedSchool(db: Db, platform: 'feishu' | 'dingtalk' | 'console', accounts: { teacher: string; leader: string }): Promise<School> {
  const teacherId = await addTeacher(db, { employeeNo: 'T0001', name: '张三', school: '第一中学' });
  const leaderId = await addTeacher(db, { employeeNo: 'T0100', name: '李校长', school: '第一中学', position: '校长' });
  await db.insert(tables(db).roles).values({ teacherId: leaderId, role: 'leader', grantedBy: 'test' });
  await bindAccount(db, platform, accounts.teacher, teacherId);
  await bindAccount(db, platform, accounts.leader, leaderId);
  return { teacherId, leaderId };
}

export async function feishuSettled(h: FeishuHarness): Promise<void> {
  await waitFor(async () => (await h.inboxRows()).every((r) => r.status !== 'pending'), { what: 'inbox drained' });
  await h.app.outbox.whenIdle();
  await waitFor(async () => (await h.outboxRows()).every((r) => r.status !== 'pending'), { what: 'outbox drained' });
}

const feishuText = (d: { msgType: string; content: any }) => (d.msgType === 'text' ? String(d.content.text) : JSON.stringify(d.content));

export function feishuChat(h: FeishuHarness, openId = TEACHER_OPEN_ID): TeacherChat {
  const exchange = async (event: unknown) => {
    const before = h.fake.delivered.length;
    const res = await h.send(event);
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    await feishuSettled(h);
    return h.fake.delivered.slice(before);
  };
  return {
    say: async (text) => (await exchange(messageEvent({ text, openId }))).filter((d) => d.to !== LEADER_OPEN_ID).map(feishuText),
    image: async (o = {}) => {
      // The photo is on the platform, as a real one would be, so the evidence worker can fetch and keep it.
      const key = `img_v3_${Math.random().toString(36).slice(2)}`;
      const event = messageEvent({ messageType: 'image', content: JSON.stringify({ image_key: key }), openId });
      if (!o.gone) h.fake.putResource(event.event.message.message_id, key, jpeg(4096), 'image/jpeg');
      return (await exchange(event)).filter((d) => d.to !== LEADER_OPEN_ID).map(feishuText);
    },
    sayInGroup: async (text) => {
      const mention = { key: '@_user_1', name: BOT_NAME, openId: BOT_OPEN_ID };
      const sent = await exchange(messageEvent({ chatType: 'group', text: `@_user_1 ${text}`, mentions: [mention], openId }));
      return sent.map((d) => ({ text: feishuText(d), direct: d.via === 'open_id' && d.to === openId }));
    },
  };
}

export async function feishuSchool(): Promise<{ h: FeishuHarness; chat: TeacherChat; school: School }> {
  const h = await startFeishu();
  const school = await seedSchool(h.app.db, 'feishu', { teacher: TEACHER_OPEN_ID, leader: LEADER_OPEN_ID });
  return { h, chat: feishuChat(h), school };
}

export function dingtalkChat(h: DingtalkHarness, staffId = TEACHER_STAFF_ID): TeacherChat {
  const session = h.fake.sessionWebhook(`s-${staffId}`);
  const exchange = async (body: Record<string, unknown>) => {
    const before = h.fake.delivered.length;
    const res = await h.send(body);
    if (res.status !== 200) throw new Error(`callback answered ${res.status}`);
    await h.settle();
    return h.fake.delivered.slice(before).filter((d) => d.to !== LEADER_STAFF_ID && !d.to.endsWith(`/${LEADER_STAFF_ID}`));
  };
  const textOf = (d: { text?: string; content?: unknown }) => d.text ?? JSON.stringify(d);
  return {
    say: async (text) => (await exchange(callbackBody({ kind: 'direct', text, staffId, sessionWebhook: session }))).map(textOf),
    image: async () => {
      const body = callbackBody({ kind: 'direct', msgtype: 'picture', staffId, sessionWebhook: session });
      h.fake.files.put(String((body.content as { downloadCode: string }).downloadCode), jpeg(4096), 'image/jpeg');
      return (await exchange(body)).map(textOf);
    },
    sayInGroup: async (text) => {
      const sent = await exchange(callbackBody({ kind: 'group', text, staffId, sessionWebhook: h.fake.sessionWebhook('s-group') }));
      return sent.map((d) => ({ text: textOf(d), direct: d.via === 'oto' }));
    },
  };
}

export async function dingtalkSchool(): Promise<{ h: DingtalkHarness; chat: TeacherChat; school: School }> {
  const h = await startDingtalk();
  const school = await seedSchool(h.app.db, 'dingtalk', { teacher: TEACHER_STAFF_ID, leader: LEADER_STAFF_ID });
  return { h, chat: dingtalkChat(h), school };
}

/** The answers of one whole declaration, in order (the date a range, the category by its number). */
export const ANSWERS = {
  project: '2025年国培计划乡村教师能力提升培训',
  organiser: '广西师范大学继续教育学院',
  dates: '2025-03-01至03-05',
  hours: '24',
  category: '3',
  certificateNo: 'GP2025-0301',
};

/** Walks a teacher through the wizard up to the summary, one image as the evidence. Returns the summary. */
export async function fillDeclaration(chat: TeacherChat, answers: Partial<typeof ANSWERS> = {}): Promise<string> {
  const a = { ...ANSWERS, ...answers };
  await chat.say('申报');
  for (const value of [a.project, a.organiser, a.dates, a.hours, a.category, a.certificateNo]) await chat.say(value);
  await chat.image();
  return (await chat.say('完成')).join('\n');
}

export async function draftsOf(db: Db): Promise<{ accountId: string; value: string }[]> {
  return (await db.select().from(tables(db).chatState)).filter((r) => r.key === 'declaration.draft');
}
