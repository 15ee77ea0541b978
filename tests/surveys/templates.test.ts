import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { statement } from '../../db/statements.js';
import { runSessionsCli } from '../../src/cli/sessions.js';
import { runSurveysCli } from '../../src/cli/surveys.js';
import { FixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { PLATFORM_SETTINGS } from '../../src/platforms/settings.js';
import { loadPresetsFor } from '../../src/policy/for-config.js';
import { checkQuestions, checkAnswers, readAnswer } from '../../src/surveys/questions.js';
import { templateFor } from '../../src/surveys/templates.js';
import { closeTestDb, openTestDb } from '../helpers/db.js';
import { addTeacher } from '../helpers/seed.js';

const config = loadConfig({ DATABASE_PATH: ':memory:' }, PLATFORM_SETTINGS);
const preset = loadPresetsFor(config).get(config.DEFAULT_POLICY);

describe('evaluation templates (questions as data)', () => {
  let dir: string;
  let db: Db;
  let out: string;
  let err: string;
  const cli = async (...argv: string[]) => {
    out = '';
    err = '';
    return await runSurveysCli(argv, {
      db,
      clock: new FixedClock('2026-11-25T10:00:00+08:00'),
      preset,
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
    });
  };
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xueshi-surveys-'));
    db = await openTestDb();
  });
  afterEach(async () => {
    await closeTestDb(db);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the migration seeds a valid default: overall, 内容, 授课教师, 实用性 (1–5) and an optional comment', async () => {
    const t = await templateFor(db, null);
    expect(t.isDefault).toBe(true);
    expect(t.questions.map((q) => [q.key, q.kind, q.required])).toEqual([
      ['overall', 'rating', true],
      ['content', 'rating', true],
      ['trainer', 'rating', true],
      ['usefulness', 'rating', true],
      ['comment', 'text', false],
    ]);
    // A category without its own template uses the default.
    expect((await templateFor(db, '集中培训')).row.id).toBe(t.row.id);
    expect(await cli('template', 'show')).toBe(0);
    expect(out).toContain('默认模板');
    expect(out).toContain('1. 总体评价  [1–5 分]');
  });

  it('set --category writes a category template (alias read as the category); show reads it back; the default is untouched', async () => {
    const qs = [
      { key: 'overall', kind: 'rating', prompt: '总体评价', required: true },
      { key: 'format', kind: 'choice', prompt: '培训形式', options: ['讲座', '工作坊', '观摩'], required: true },
      { key: 'comment', kind: 'text', prompt: '建议', required: false },
    ];
    expect(await cli('template', 'set', '--category', '班主任', '--file', file('q.json', qs), '--title', '班主任培训评价')).toBe(0);
    expect(out).toContain('班主任培训');
    const own = await templateFor(db, '班主任培训');
    expect(own.isDefault).toBe(false);
    expect(own.questions).toEqual(qs);
    expect((await templateFor(db, null)).questions).toHaveLength(5);
    // Setting it again replaces, never adds a second template for the category.
    expect(await cli('template', 'set', '--category', '班主任培训', '--file', file('q2.json', qs.slice(0, 1)))).toBe(0);
    expect(Number(await statement(db, `select count(*) from questionnaires where category = '班主任培训'`).pluck().get())).toBe(1);
    expect(await cli('template', 'show', '--category', '班主任培训', '--json')).toBe(0);
    expect(JSON.parse(out)).toEqual(qs.slice(0, 1));
  });

  it('a bad file changes nothing and says why in Chinese', async () => {
    const before = await statement(db, 'select * from questionnaires').all();
    expect(await cli('template', 'set', '--file', file('bad.json', '{not json'))).toBe(1);
    expect(err).toContain('不是有效的 JSON');
    const bad = [
      { key: 'overall', kind: 'rating', prompt: '总体', required: true },
      { key: 'overall', kind: 'choice', prompt: '重复', required: true },
      { key: 'x', kind: 'stars', prompt: '', required: 'yes' },
    ];
    expect(await cli('template', 'set', '--file', file('bad2.json', bad))).toBe(1);
    expect(err).toContain('未保存');
    expect(err).toContain('须给出 options');
    expect(err).toContain('kind 只能是');
    expect(err).not.toMatch(/[A-Z][a-z]+ [a-z]+ [a-z]+/); // no English zod defaults
    expect(await cli('template', 'set', '--category', '烹饪', '--file', file('ok.json', bad.slice(0, 1)))).toBe(1);
    expect(err).toContain('没有「烹饪」这个培训类别');
    expect(await cli('template', 'set')).toBe(1);
    expect(await statement(db, 'select * from questionnaires').all()).toEqual(before);
  });

  it('the schema refuses too many questions, unknown fields and lists with nothing required', async () => {
    const many = Array.from({ length: 13 }, (_, i) => ({ key: `q${i}`, kind: 'text', prompt: `题${i}`, required: true }));
    expect(checkQuestions(many)).toMatchObject({ ok: false, problems: ['最多 12 道题'] });
    expect(checkQuestions([{ key: 'a', kind: 'text', prompt: 'p', required: true, teacher: 1 }])).toMatchObject({ ok: false });
    const twice = [
      { key: 'overall', kind: 'rating', prompt: '总体', required: true },
      { key: 'overall', kind: 'text', prompt: '重复', required: false },
    ];
    expect(checkQuestions(twice)).toMatchObject({ ok: false, problems: ['key「overall」重复了，每道题的 key 须不同'] });
    expect(checkQuestions([{ key: 'a', kind: 'text', prompt: 'p', required: false }])).toMatchObject({ ok: false, problems: ['至少要有一道必答题'] });
  });

  it('answers are read as digits, option numbers, option text or rating labels', async () => {
    const [overall, , , , comment] = (await templateFor(db, null)).questions;
    expect(readAnswer(overall, '５')).toBe(5);
    expect(readAnswer(overall, '4 满意')).toBe(4);
    expect(readAnswer(overall, '6')).toBeNull();
    expect(readAnswer(overall, '很好')).toBeNull();
    expect(readAnswer(comment, '  讲得好 ')).toBe('讲得好');
    const choice = { key: 'f', kind: 'choice' as const, prompt: '形式', options: ['讲座', '工作坊'], required: true };
    expect(readAnswer(choice, '2')).toBe('工作坊');
    expect(readAnswer(choice, '讲座')).toBe('讲座');
    const qs = (await templateFor(db, null)).questions;
    expect(checkAnswers(qs, { overall: '5', content: '4', trainer: '3 一般', usefulness: '5' })).toEqual({
      ok: true,
      answers: { overall: 5, content: 4, trainer: 3, usefulness: 5 },
    });
    expect(checkAnswers(qs, { overall: '5', content: '9' })).toMatchObject({ ok: false, problems: ['「培训内容」的回答不是可选的选项', '「授课教师」还没有回答', '「实用性（对教学工作的帮助）」还没有回答'] });
  });

  it('session create takes --trainer and --project, which evaluation results group by', async () => {
    err = '';
    await addTeacher(db, { employeeNo: 'T0001', name: '张三' });
    const presets = loadPresetsFor(config);
    const code = await runSessionsCli(
      ['create', '--title', '作业设计', '--category', '集中培训', '--hours', '3', '--date', '2026-11-26', '--checkin', '08:30-09:00', '--trainer', ' 李老师 ', '--project', '国培2026'],
      {
        db,
        clock: new FixedClock('2026-11-25T10:00:00+08:00'),
        timeZone: 'Asia/Shanghai',
        presets,
        defaultPolicy: config.DEFAULT_POLICY,
        stdout: { write: () => true },
        stderr: { write: (s: string) => (err += s) },
      },
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(await statement(db, 'select trainer, project from training_sessions').all()).toEqual([{ trainer: '李老师', project: '国培2026' }]);
  });
});
