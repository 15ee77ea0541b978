import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { Router, type Route } from '../../src/bot/router.js';

/**
 * The labelled phrase set (tests/fixtures/phrases.tsv): what teachers really type, and what the bot must do.
 * Accuracy over the whole set must stay at or above 97 %; the phrasings issue 12 names must all be right.
 */
const FIXTURE = new URL('../fixtures/phrases.tsv', import.meta.url);

interface Labelled {
  phrase: string;
  expected: string;
  arg: string | undefined;
}

function load(): Labelled[] {
  return readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => {
      const [phrase, expected, arg] = line.split('\t');
      return { phrase, expected: expected.trim(), arg: arg?.trim() || undefined };
    });
}

const router = new Router(commands);

/** What the router decided, in the fixture's words. */
function outcome(route: Route): { label: string; arg: string } {
  switch (route.kind) {
    case 'someone_else':
      return { label: '他人', arg: '' };
    case 'command':
      return { label: route.command.name, arg: route.argText };
    default:
      return { label: '无', arg: '' };
  }
}

function isRight(item: Labelled): boolean {
  const { label, arg } = outcome(router.route(item.phrase));
  if (item.expected === '他人') {
    // Either refused outright, or passed to 学时 / 记录 with the name, whose handler refuses anyone but the caller.
    if (item.arg) return (label === '学时' || label === '记录') && arg === item.arg;
    return label === '他人';
  }
  if (label !== item.expected) return false;
  return item.arg === undefined || arg === item.arg;
}

const phrases = load();

describe('labelled phrase set', () => {
  it('holds a few hundred phrasings across every intent', () => {
    expect(phrases.length).toBeGreaterThanOrEqual(300);
    const labels = new Set(phrases.map((p) => p.expected));
    for (const l of ['学时', '记录', '签到', '签退', '帮助', '闲聊', '他人', '无']) expect(labels).toContain(l);
  });

  it('is understood at least 97 % of the time', () => {
    const wrong = phrases.filter((p) => !isRight(p));
    const accuracy = (phrases.length - wrong.length) / phrases.length;
    const detail = wrong.map((p) => `  「${p.phrase}」 expected ${p.expected}${p.arg ? ` ${p.arg}` : ''}, got ${JSON.stringify(outcome(router.route(p.phrase)))}`);
    console.log(`intent accuracy: ${(accuracy * 100).toFixed(1)} % (${phrases.length - wrong.length}/${phrases.length})\n${detail.join('\n')}`);
    expect(accuracy).toBeGreaterThanOrEqual(0.97);
  });

  it('never answers figures to small talk, unrelated chat or questions about someone else', () => {
    for (const p of phrases.filter((x) => x.expected === '闲聊' || x.expected === '无' || x.expected === '他人')) {
      const { label, arg } = outcome(router.route(p.phrase));
      const figures = (label === '学时' || label === '记录') && (p.expected !== '他人' || arg === '');
      expect(figures, `「${p.phrase}」 would get figures`).toBe(false);
    }
  });
});

describe('phrasings issue 12 names', () => {
  it.each(['学时查询', '查学时', '我现在有多少学时了', '学分', '学时多少'])('「%s」 asks for own hours', (text) => {
    expect(outcome(router.route(text))).toEqual({ label: '学时', arg: '' });
  });

  it.each(['谢谢', '好的', '辛苦了'])('「%s」 is small talk', (text) => {
    expect(outcome(router.route(text)).label).toBe('闲聊');
  });

  it('「李四还差多少学时」 passes the name on, so the handler refuses it', () => {
    expect(outcome(router.route('李四还差多少学时'))).toEqual({ label: '学时', arg: '李四' });
    expect(outcome(router.route('李四老师还差多少学时')).label).toBe('他人');
  });
});

describe('新建培训 with 讲师 and 项目', () => {
  it.each(['作业设计 集中培训 3 明天 08:30-09:15 讲师:李明 项目:国培2026', '师德讲座 师德师风 2 下周五 下午2点-4点 项目：国培2026 讲师：王芳'])(
    '「新建培训 %s」 reaches 新建培训 with the whole line',
    (spec) => {
      expect(outcome(router.route(`新建培训 ${spec}`))).toEqual({ label: '新建培训', arg: spec });
    },
  );
});
