import { describe, expect, it } from 'vitest';
import { escapeMarkdown, renderCard, renderReply } from '../../../src/platforms/feishu/cards.js';

describe('renderCard', () => {
  it('puts a link button (url, no value: Feishu opens the page, no callback) after the command buttons', () => {
    const card = renderCard({
      title: '待审批',
      sections: [{ lines: ['张三'] }],
      buttons: [{ label: '通过', value: { command: '通过申报', args: '7' }, style: 'primary' }],
      link: { label: '查看证明材料', url: 'https://x.example/approve/7' },
    });
    expect((card.elements as Record<string, unknown>[]).at(-1)).toEqual({
      tag: 'action',
      actions: [
        { tag: 'button', text: { tag: 'plain_text', content: '通过' }, type: 'primary', value: { command: '通过申报', args: '7' } },
        { tag: 'button', text: { tag: 'plain_text', content: '查看证明材料' }, type: 'default', url: 'https://x.example/approve/7' },
      ],
    });
  });

  it('renders header, sections, buttons and note as a Feishu message card', () => {
    const card = renderCard({
      title: '本周期学时',
      tone: 'orange',
      sections: [{ heading: '进度', lines: ['已修 12 学时', '还差 60 学时'] }, { lines: ['依据：来宾市文件'] }],
      buttons: [
        { label: '查看记录', value: { command: '记录' }, style: 'primary' },
        { label: '帮助', value: { command: '帮助' } },
      ],
      note: '数据截至 2026-11-25',
    });
    expect(card).toEqual({
      config: { wide_screen_mode: true },
      header: { title: { tag: 'plain_text', content: '本周期学时' }, template: 'orange' },
      elements: [
        { tag: 'markdown', content: '**进度**\n已修 12 学时\n还差 60 学时' },
        { tag: 'hr' },
        { tag: 'markdown', content: '依据：来宾市文件' },
        {
          tag: 'action',
          actions: [
            { tag: 'button', text: { tag: 'plain_text', content: '查看记录' }, type: 'primary', value: { command: '记录' } },
            { tag: 'button', text: { tag: 'plain_text', content: '帮助' }, type: 'default', value: { command: '帮助' } },
          ],
        },
        { tag: 'note', elements: [{ tag: 'plain_text', content: '数据截至 2026-11-25' }] },
      ],
    });
  });

  it('defaults to a blue header and omits empty parts', () => {
    const card = renderCard({ title: 't', sections: [{ lines: ['x'] }] });
    expect(card.header).toMatchObject({ template: 'blue' });
    expect(card.elements).toEqual([{ tag: 'markdown', content: 'x' }]);
  });

  it('keeps markdown syntax in data literal', () => {
    expect(escapeMarkdown('王*明_ <b>[1]</b> ~x~ `y`')).toBe('王&#42;明&#95; &lt;b&gt;&#91;1&#93;&lt;/b&gt; &#126;x&#126; &#96;y&#96;');
  });
});

describe('renderReply', () => {
  it('sends text as msg_type text with a JSON string content', () => {
    expect(renderReply({ text: '你好\n"引号"' })).toEqual({ msg_type: 'text', content: JSON.stringify({ text: '你好\n"引号"' }) });
  });

  it('sends a card as msg_type interactive', () => {
    const r = renderReply({ text: 'fallback', card: { title: 't', sections: [] } });
    expect(r.msg_type).toBe('interactive');
    expect(JSON.parse(r.content).header.title.content).toBe('t');
  });
});
