export function cellText(value: unknown, numFmt?: unknown): string;
export function useChineseBuiltInFormats(): void;
