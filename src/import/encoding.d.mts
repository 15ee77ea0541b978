import type { Transform } from 'node:stream';

export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'gb18030';
export const SNIFF_BYTES: number;
export function detectEncoding(head: Buffer, wholeFile: boolean): TextEncoding | null;
export function decodeText(buf: Buffer, encoding: TextEncoding): string;
export function toUtf8Stream(onEncoding?: (encoding: TextEncoding) => void): Transform;
