import { describe, expect, it } from 'vitest';
import { dashboardRoute, parseNoticeBody } from '../../web/src/notice-text.ts';

describe("the inbox's reading of a notice's markdown (text only)", () => {
  it('reads headings, paragraphs with bold, and the digest’s items as one list with their dashboard links', () => {
    const body = [
      '### 越城区每日预警与期限提醒(2024-03-10)',
      '**已逾期预警 2 条**:红色 1 · 黄色 1',
      '- 红色「家庭人均收入低于低保标准」到期 2024-03-04 [处理](https://dash.example.org/#/alerts/a-1)',
      '- 黄色「特困人员探访逾期」到期 2024-03-05 [处理](http://127.0.0.1:3000/#/alerts/a-2)',
    ].join('\n\n');
    expect(parseNoticeBody(body)).toEqual([
      { type: 'heading', inline: [{ type: 'text', text: '越城区每日预警与期限提醒(2024-03-10)' }] },
      {
        type: 'paragraph',
        inline: [
          { type: 'strong', text: '已逾期预警 2 条' },
          { type: 'text', text: ':红色 1 · 黄色 1' },
        ],
      },
      {
        type: 'list',
        items: [
          [
            { type: 'text', text: '红色「家庭人均收入低于低保标准」到期 2024-03-04 ' },
            { type: 'link', text: '处理', route: '#/alerts/a-1' },
          ],
          [
            { type: 'text', text: '黄色「特困人员探访逾期」到期 2024-03-05 ' },
            { type: 'link', text: '处理', route: '#/alerts/a-2' },
          ],
        ],
      },
    ]);
  });

  it('follows no link but a dashboard route: javascript:, other hosts’ paths and markup stay text as written', () => {
    const text = '文件「<img src=x onerror=alert(1)>[点我](javascript:alert(1))」与 [别处](https://evil.example/x#/alerts/1)';
    const [block] = parseNoticeBody(text);
    expect(block.type).toBe('paragraph');
    const inline = block.type === 'paragraph' ? block.inline : [];
    expect(inline.every((i) => i.type !== 'link')).toBe(true);
    expect(inline.map((i) => i.text).join('')).toBe(text);
    expect(dashboardRoute('https://dash.example.org/#/uploads')).toBe('#/uploads');
    expect(dashboardRoute('#/progress')).toBe('#/progress');
    expect(dashboardRoute('javascript:alert(1)//#/alerts')).toBeUndefined();
    expect(dashboardRoute('https://dash.example.org/#/alerts/"><script>')).toBeUndefined();
  });
});
