import { describe, expect, it } from 'vitest';
import { matchIntent } from '../../src/bot/intents.js';

// Real-style phrasings teachers type on their phones (typos of spacing, punctuation, colloquial).
const asksHours = [
  '我还差多少学时',
  '我还差多少学时？',
  '我还差多少学时?',
  '还差多少学时',
  '今年还要修多少',
  '今年还要修多少学时',
  '我的学时够了吗',
  '学时够了吗？',
  '我学时够不够',
  '我的学分够了没',
  '查一下我的学时',
  '查学时进度',
  '看看我的学时',
  '我现在修了多少学时了',
  '我完成了多少学时',
  '这个周期还需要完成多少',
  '本周期还要修多少学时',
  '本年度还需要完成多少学时呢',
  '继续教育学时还差多少',
  '我的继续教育够了吗',
  '学时达标没',
  '我今年学时达标了吗',
  '还缺几个学时',
  '还欠多少学分',
  '学时情况',
  '我学时进度怎么样',
  '师德师风还差多少',
  '校本研修够了吗',
  '班主任培训还要多少',
  '老师问下 我还需要多少学时啊',
  '请问我还差几学时',
  'my hours',
  'how many hours do I need',
  '学时还剩多少',
];

const notHours = [
  '今天天气怎么样',
  '你好',
  '谢谢',
  '签到 123456',
  '培训在哪里开',
  '学时是什么意思',
  '学时证明在哪打印',
  '明天几点开会',
  '我还差一点就到了',
  '这个月工资还差多少',
  '学时怎么算的',
  '还要多少钱',
];

describe('hours intent', () => {
  it.each(asksHours)('matches 「%s」', (text) => {
    expect(matchIntent(text)?.command).toBe('学时');
    expect(matchIntent(text)?.aboutSomeoneElse).toBeUndefined();
  });

  it.each(notHours)('does not match 「%s」', (text) => {
    expect(matchIntent(text)?.command).not.toBe('学时');
  });

  it('has at least 30 positive and 10 negative phrasings', () => {
    expect(asksHours.length).toBeGreaterThanOrEqual(30);
    expect(notHours.length).toBeGreaterThanOrEqual(10);
  });
});

describe('questions about someone else', () => {
  it.each(['张三老师还差多少学时', '他还差多少学时', '同事的学时够了吗', '王校长的学时情况', '我们学校其他老师的学时'])(
    'flags 「%s」',
    (text) => {
      expect(matchIntent(text)).toMatchObject({ command: '学时', aboutSomeoneElse: true });
    },
  );
});

describe('names and 工号 go to the handler, which answers only the caller', () => {
  it.each([
    ['帮我查一下T0002的学时', 'T0002'],
    ['t0002还差多少学时', 'T0002'],
    ['李四还差多少学时', '李四'],
    ['查一下王五的学时', '王五'],
  ])('「%s」 → %s', (text, who) => {
    expect(matchIntent(text)).toEqual({ command: '学时', argText: who });
  });
  it.each(['周期学时还差多少', '今年学时够了吗', '新教师培训还要多少', '师德学时够了吗'])('「%s」 names nobody', (text) => {
    expect(matchIntent(text)).toEqual({ command: '学时' });
  });
});

describe('other intents', () => {
  it.each(['我的记录', '看看我的培训记录', '学时明细'])('records: 「%s」', (text) => {
    expect(matchIntent(text)?.command).toBe('记录');
  });
  it.each(['你好', '在吗', '怎么用', '你能做什么'])('help: 「%s」', (text) => {
    expect(matchIntent(text)?.command).toBe('帮助');
  });
});
