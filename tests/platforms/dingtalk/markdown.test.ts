import { describe, expect, it } from 'vitest';
import { renderMarkdown, robotMessage, webhookBody } from '../../../src/platforms/dingtalk/markdown.js';

describe('DingTalk rendering', () => {
  const card = {
    title: '学时进度',
    sections: [{ heading: '2026 年度', lines: ['已修 *25.5* 学时', '还差 334.5 学时'] }, { lines: ['# 不是标题'] }],
    buttons: [{ label: '查看明细', value: { command: '记录', args: '2026' } }],
    note: '数据截至今日',
  };

  it('renders a card as markdown with a title, paragraphs, send-this hints and a quoted note', () => {
    const { title, text } = renderMarkdown(card);
    expect(title).toBe('学时进度');
    expect(text).toBe(['### 学时进度', '**2026 年度**\n\n已修 \\*25.5\\* 学时\n\n还差 334.5 学时', '\\# 不是标题', '- 查看明细：发送「记录 2026」', '> 数据截至今日'].join('\n\n'));
  });

  it('builds text bodies for both channels, and markdown ones when there is a card', () => {
    expect(webhookBody({ text: 'hi' })).toEqual({ msgtype: 'text', text: { content: 'hi' } });
    expect(robotMessage({ text: 'hi' })).toEqual({ msgKey: 'sampleText', msgParam: { content: 'hi' } });
    expect(webhookBody({ text: 'hi', card })).toMatchObject({ msgtype: 'markdown', markdown: { title: '学时进度' } });
    expect(robotMessage({ text: 'hi', card })).toMatchObject({ msgKey: 'sampleMarkdown', msgParam: { title: '学时进度' } });
  });
});

describe('DingTalk rendering of a card with a link', () => {
  const card = {
    title: '待审批：学时申报 #7',
    sections: [{ lines: ['张三（第一中学）', '国培计划 24 学时'] }],
    buttons: [{ label: '通过', value: { command: '通过申报', args: '7' } }],
    link: { label: '登录后审批', url: 'https://xueshi.example.edu.cn/approve/7' },
  };

  it('becomes an action card whose one button opens the link, the commands still listed in its text', () => {
    const api = robotMessage({ text: 'x', card });
    expect(api.msgKey).toBe('sampleActionCard');
    expect(api.msgParam).toMatchObject({ title: '待审批：学时申报 #7', singleTitle: '登录后审批', singleURL: 'https://xueshi.example.edu.cn/approve/7' });
    expect(api.msgParam.text).toContain('发送「通过申报 7」');
    expect(webhookBody({ text: 'x', card })).toEqual({ msgtype: 'actionCard', actionCard: api.msgParam });
  });
});
