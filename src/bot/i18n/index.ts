import { zhCN, type Messages } from './zh-CN.js';

export type { Messages };
export { renderSummaryText } from './zh-CN.js';

const catalogs: Record<string, Messages> = { 'zh-CN': zhCN };

export function messagesFor(locale = 'zh-CN'): Messages {
  return catalogs[locale] ?? zhCN;
}
