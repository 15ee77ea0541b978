/** Number formatting shared by the officer console's catalogue files. */
export const h = (n: number) => `${Math.round(n * 10) / 10}`;
export const int = (n: number) => n.toLocaleString('zh-CN');
