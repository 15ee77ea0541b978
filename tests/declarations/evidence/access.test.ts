import { writeFileSync } from 'node:fs';
import { tables } from '../../../db/handle.js';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../../db/client.js';
import { transaction } from '../../../db/statements.js';
import type { IncomingMessage } from '../../../src/core/messages.js';
import { evidenceDirFor } from '../../../src/declarations/evidence/files.js';
import { readEvidence } from '../../../src/declarations/evidence/read.js';
import { evidenceFor, registerEvidence } from '../../../src/declarations/evidence/register.js';
import { findEvidence } from '../../../src/declarations/evidence/store.js';
import { submitDeclaration } from '../../../src/declarations/service.js';
import { bindAccount } from '../../../src/ledger/accounts.js';
import { rolesOf, findTeacherById } from '../../../src/ledger/store.js';
import { eventually } from '../../helpers/fakes/dingtalk-harness.js';
import type { TestApp } from '../../helpers/app.js';
import { get, signInWithToken, startAdmin } from '../../helpers/admin.js';
import { actor, input, staff } from '../../helpers/declarations.js';
import { png } from '../../helpers/evidence.js';

/**
 * Who may see an evidence file: the teacher, the declaration's approvers and officers (the core's canView, asked
 * first); everyone else — and every id that does not exist — gets the same answer. The console serves it to a
 * signed-in officer with headers that keep the browser from running or caching it.
 */

let app: TestApp;
let teacher: number;
let leader: number;
let stranger: number;
let officer: number;
beforeEach(async () => {
  app = await startAdmin();
  teacher = await staff(app.db, 'T0001', '张三', '第一中学');
  leader = await staff(app.db, 'L0001', '李校长', '第一中学', ['leader']);
  stranger = await staff(app.db, 'T0009', '王五', '第二中学');
  officer = await staff(app.db, 'O0001', '钱主任', '教师发展中心', ['officer']);
  await bindAccount(app.db, 'console', 'local:T0001', teacher);
});
afterEach(() => app.cleanup());

const now = () => app.fixedClock.now();
const viewer = async (id: number) => ({ teacherId: id, roles: await rolesOf(app.db, await findTeacherById(app.db, id)) });

/** A console message carrying a local file, registered as the wizard does, then downloaded by the app's worker. */
async function sendFile(name: string, bytes: Buffer, teacherId = teacher, register = true): Promise<number> {
  const path = join(app.dir, name);
  writeFileSync(path, bytes);
  const message: IncomingMessage = {
    kind: 'message', platform: 'console', eventId: `e-${name}`, messageId: `m-${name}`, accountId: 'local:T0001', chatId: 'console:local:T0001',
    chatType: 'direct', text: '', attachments: [{ kind: 'image', key: path, name }], receivedAt: now().getTime(), replyVia: {},
  };
  const [row] = await transaction(app.db, (tx) => registerEvidence(tx, message, teacherId, now()));
  if (register) {
    app.evidence.kick();
    await eventually(async () => (await findEvidence(app.db, row.id))?.status === 'stored', 5000, 'stored');
  }
  return row.id;
}

async function declare(evidenceIds: number[], teacherId = teacher, over = {}) {
  const out = await submitDeclaration(app.db, app.presets, input(teacherId, { evidenceIds, ...over }), actor(teacherId), now());
  if (!out.ok) throw new Error(out.detail);
  return out.declaration;
}

describe('readEvidence', () => {
  it('lets the teacher, the approver and an officer read it; a teacher of another school gets what a missing id gets', async () => {
    const bytes = png(4000);
    const id = await sendFile('证书.png', bytes);
    const declaration = await declare([id]);
    expect((await evidenceFor(app.db, declaration.id)).map((e) => e.id)).toEqual([id]);

    for (const who of [teacher, leader, officer]) {
      const read = await readEvidence(app.db, id, await viewer(who), evidenceDirFor(app.config));
      expect(read.ok).toBe(true);
      if (read.ok) {
        read.stream.destroy();
        expect(read).toMatchObject({ mime: 'image/png', size: bytes.length });
      }
    }
    expect(await readEvidence(app.db, id, await viewer(stranger), evidenceDirFor(app.config))).toEqual({ ok: false });
    expect(await readEvidence(app.db, id + 1000, await viewer(officer), evidenceDirFor(app.config))).toEqual({ ok: false });
    // A file no declaration has taken yet is its sender's: not even the sender's school leader sees it.
    const loose = await sendFile('草稿.png', png(3000));
    expect((await readEvidence(app.db, loose, await viewer(teacher), evidenceDirFor(app.config))).ok).toBe(true);
    expect(await readEvidence(app.db, loose, await viewer(leader), evidenceDirFor(app.config))).toEqual({ ok: false });
    expect(await readEvidence(app.db, loose, await viewer(stranger), evidenceDirFor(app.config))).toEqual({ ok: false });
  });

  it('flags the same file on an earlier declaration when the download finishes after submission', async () => {
    const bytes = png(5000);
    const first = await declare([await sendFile('a.png', bytes)]);
    // The second teacher submits before the worker got to the file (one synchronous step, as in the event).
    const other = await staff(app.db, 'T0002', '赵六', '第一中学');
    const path = join(app.dir, 'b.png');
    writeFileSync(path, bytes);
    const message: IncomingMessage = {
      kind: 'message', platform: 'console', eventId: 'e-b', messageId: 'm-b', accountId: 'local:T0002', chatId: 'c', chatType: 'direct', text: '',
      attachments: [{ kind: 'image', key: path }], receivedAt: 0, replyVia: {},
    };
    const second = await transaction(app.db, async (tx) => {
      const [row] = await registerEvidence(tx, message, other, now());
      const out = await submitDeclaration(tx, app.presets, input(other, { evidenceIds: [row.id], project: '另一个项目' }), actor(other), now());
      if (!out.ok) throw new Error(out.detail);
      return out.declaration;
    });
    expect((await evidenceFor(app.db, second.id))[0].status).toBe('pending');
    await eventually(async () => (await evidenceFor(app.db, second.id))[0].status === 'stored', 5000, 'stored after submission');
    const flags = (await app.db
      .select()
      .from(tables(app.db).declarationFlags)
      .where(and(eq(tables(app.db).declarationFlags.declarationId, second.id), eq(tables(app.db).declarationFlags.kind, 'evidence_hash'))));
    expect(flags.map((f) => f.otherDeclarationId)).toEqual([first.id]);
  });
});

describe('GET /admin/evidence/:id', () => {
  it('streams the file to a signed-in officer with its type, a safe disposition, nosniff, a CSP and no caching', async () => {
    const bytes = png(6000);
    const id = await sendFile('结业证书.jpg', bytes);
    await declare([id]);
    const { cookie } = await signInWithToken(app);
    const res = await get(app, `/admin/evidence/${id}`, cookie);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    expect(res.headers.get('content-type')).toBe('image/png');
    // Named as what it is (a PNG sent as .jpg), shown inline; the Chinese name in RFC 5987 form.
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="____.png"; filename*=UTF-8''${encodeURIComponent('结业证书.png')}`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(res.headers.get('cache-control')).toBe('no-store, private');
    const download = await get(app, `/admin/evidence/${id}?download=1`, cookie);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; /);
    await download.arrayBuffer();
  });

  it('gives nobody signed in the login page, and the same 404 for a missing id, a bad id and a file not stored', async () => {
    const id = await sendFile('证书.png', png(2000));
    await declare([id]);
    const rejected = await sendFile('坏.png', Buffer.from('<html>not an image</html>'), teacher, false);
    await eventually(async () => (await findEvidence(app.db, rejected))?.status === 'rejected', 5000, 'rejected');

    const anonymous = await get(app, `/admin/evidence/${id}`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/admin\/login/);
    expect(await anonymous.text()).not.toContain('PNG');

    const { cookie } = await signInWithToken(app);
    const answers = [];
    for (const path of [`/admin/evidence/${id + 1000}`, '/admin/evidence/abc', `/admin/evidence/${rejected}`, '/admin/evidence/-1', '/admin/evidence/1e3']) {
      const res = await get(app, path, cookie);
      answers.push({ status: res.status, body: (await res.text()).replace(/name="_csrf" value="[^"]+"/g, '') });
    }
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([404]));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
  });
});
