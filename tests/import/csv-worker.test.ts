/**
 * The big-file CSV reader (csv-worker.mjs: quote-free lines split without csv-parse, csv-parse from the
 * first quote on) must give exactly what csv-parse gives on this thread: the same rows, row numbers and
 * cells, and the same error (with the same line number) for broken quoting.
 */
import { afterAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { csvSource, MAX_RECORD_BYTES } from '../../src/import/csv-source.js';
import type { RowSource } from '../../src/import/types.js';
import { tempDir } from '../fixtures/import/helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** The worker reads 256 KiB at a time. */
const CHUNK = 256 * 1024;

async function collect(source: RowSource) {
  try {
    const header = await source.header();
    const rows = [];
    for await (const r of source) rows.push(r);
    return { header, rows, progress: source.progress().bytesRead === source.progress().totalBytes };
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  } finally {
    await source.close();
  }
}

let n = 0;
async function same(content: string | Buffer) {
  const path = tmp.write(`f${n++}.csv`, content);
  const [worker, local] = [await collect(csvSource(path, 'x.csv', { worker: true })), await collect(csvSource(path, 'x.csv', { worker: false }))];
  expect(worker).toEqual(local);
  return worker;
}

const body = (lines: number, eol: string, from = 0) =>
  Array.from({ length: lines }, (_, i) => `T${from + i},2026-03-0${1 + (i % 9)},1.5,集中培训,项目${i} 名称,R${from + i}`).join(eol);

describe('CSV worker reader = csv-parse', () => {
  const small: [string, string][] = [
    ['empty file', ''],
    ['BOM only', '\uFEFF'],
    ['header only, no line end', '工号,日期'],
    ['LF with a trailing line end', '工号,日期\nT1,2026-03-01\n'],
    ['no trailing line end', '工号,日期\nT1,2026-03-01'],
    ['blank and whitespace lines, trailing blank lines', '\uFEFF工号,日期\n\nT1,x\n  \n\n'],
    ['CRLF', '工号,日期\r\nT1,2026-03-01\r\n\r\nT2,y\r\n'],
    ['CR only', '工号,日期\rT1,2026-03-01\rT2,y\r'],
    ['LF file with a stray CR', '工号,日期\nT1,2026-03-01\r\nT2,y\n'],
    ['CRLF file with a stray LF (csv-parse keeps it in the cell)', '工号,日期\r\nT1,a\nb\r\nT2,y\r\n'],
    ['a single line end', '\n'],
    ['a lone CR at the end', '工号,日期\r'],
    ['short and long rows', 'a,b,c\n1\n1,2,3,4,,\n,,\n'],
    ['quotes in the header', '"工号",日期\nT1,x\n'],
    ['quoted multi-line cell', '工号,项目\nT1,"第一行\n第二行"\nT2,x\n'],
    ['a quote inside an unquoted cell', '工号,项目\nT1,ab"c\n'],
    ['broken quoting near the start', '工号,项目\nT1,"abc\nT2,x\n'],
    ['UTF-16 BOM', Buffer.from('\uFEFF工号,日期\nT1,x\n', 'utf16le').toString('latin1')],
  ];
  it.each(small)('%s', async (_name, content) => {
    await same(_name === 'UTF-16 BOM' ? Buffer.from(content, 'latin1') : content);
  });

  it('invalid UTF-8 bytes decode to the same replacement characters', async () => {
    await same(Buffer.concat([Buffer.from('工号,项目\nT1,'), Buffer.from([0xe4, 0xb8]), Buffer.from(',x\nT2,'), Buffer.from([0xff, 0x80]), Buffer.from('\n')]));
  });

  it.each(['\n', '\r\n', '\r'])('a big file with line end %j, across many reads', async (eol) => {
    const r = await same(`\uFEFF工号,日期,学时,类别,项目,编号${eol}${body(30_000, eol)}${eol}`);
    expect(r.rows).toHaveLength(30_000);
  });

  it('a CRLF split between two reads, and a character split between two reads', async () => {
    // Line 1 padded so that the CR is the last byte of the first read.
    const head = '工号,项目\r\n';
    const pad = CHUNK - Buffer.byteLength(head) - Buffer.byteLength('T0,') - 1;
    const crlf = `${head}T0,${'x'.repeat(pad)}\r\n${body(100, '\r\n', 1)}\r\n`;
    expect(Buffer.from(crlf)[CHUNK - 1]).toBe(0x0d);
    await same(crlf);
    // A three-byte character straddling the boundary.
    const pad2 = CHUNK - Buffer.byteLength('工号,项目\nT0,') - 1;
    const split = `工号,项目\nT0,${'x'.repeat(pad2)}项目\n${body(100, '\n', 1)}\n`;
    await same(split);
  });

  it('a line over the record limit is refused with its row number, without reading on (both readers)', async () => {
    const big = `工号,项目\n${body(10, '\n')}\nT1,${'长'.repeat(MAX_RECORD_BYTES)}\nT2,x\n`;
    expect((await same(big)).error).toBe('ImportFileError: 第 12 行太长，超过单行上限 64 KB：文件可能不是表格，或某处引号没有成对。');
    // One enormous first line (16 MB, no line end at all): refused at once instead of growing with the line.
    const path = tmp.write('one-line.csv', Buffer.alloc(16 * 1024 * 1024, 'x'));
    for (const worker of [true, false]) {
      const started = performance.now();
      expect((await collect(csvSource(path, 'x.csv', { worker }))).error).toMatch(/^ImportFileError: 第 1 行太长/);
      expect(performance.now() - started).toBeLessThan(4000); // was minutes (or unbounded memory)
    }
  });

  it('a line just under the record limit is read', async () => {
    const r = await same(`工号,项目\nT1,${'x'.repeat(MAX_RECORD_BYTES - 100)}\nT2,y\n`);
    expect(r.rows).toHaveLength(2);
  });

  it('a quoted cell far into the file: csv-parse takes over from that line, rows and numbers unchanged', async () => {
    const lines = body(20_000, '\n').split('\n');
    lines[15_000] = 'T15000,2026-03-01,1.5,集中培训,"项目,带逗号\n跨行",R15000';
    lines[15_001] = '';
    const r = await same(`工号,日期,学时,类别,项目,编号\n${lines.join('\n')}\n`);
    expect(r.rows!.find((x) => x.values['编号'] === 'R15000')).toMatchObject({ rowNumber: 15_002, values: { 项目: '项目,带逗号\n跨行' } });
    expect(r.rows!.at(-1)).toMatchObject({ rowNumber: 20_001, values: { 编号: 'R19999' } });
  });

  it('broken quoting far into the file: the same error, with the line number counted from the top', async () => {

    const lines = body(20_000, '\r\n').split('\r\n');
    lines[17_000] = 'T17000,2026-03-01,1,集中培训,"未闭合,R17000';
    const r = await same(`工号,日期,学时,类别,项目,编号\r\n${lines.join('\r\n')}\r\n`);
    // The unclosed quote swallows the rest of the file into one record, which soon passes the record limit;
    // csv-parse counts CR and LF inside the quote, so the line is past row 17001.
    expect(r.error).toMatch(/^ImportFileError: 第 \d+ 行太长，超过单行上限 64 KB/);
    const line = Number(/第 (\d+) 行/.exec(r.error!)![1]);
    expect(line).toBeGreaterThan(17_001);
    expect(line).toBeLessThan(17_001 + 2 * (MAX_RECORD_BYTES / 50));
  });
});

describe('GBK / GB18030 CSV (Excel on Chinese Windows)', () => {
  const gbk = (text: string) => iconv.encode(text, 'gb18030');

  it('is detected and decoded by both readers, on the plain and the csv-parse path', async () => {
    const plain = await same(gbk(`工号,日期,学时,类别,项目,编号\r\n${body(10_000, '\r\n')}\r\n`));
    expect(plain.rows).toHaveLength(10_000);
    expect(plain.rows![9_999].values).toEqual({ 工号: 'T9999', 日期: '2026-03-01', 学时: '1.5', 类别: '集中培训', 项目: '项目9999 名称', 编号: 'R9999' });
    const lines = body(8_000, '\n').split('\n');
    lines[6_000] = 'T6000,2026-03-01,1.5,集中培训,"师德,第一讲\n续",R6000';
    const quoted = await same(gbk(`工号,日期,学时,类别,项目,编号\n${lines.join('\n')}\n`));
    expect(quoted.rows!.find((x) => x.values['编号'] === 'R6000')!.values['项目']).toBe('师德,第一讲\n续');
    expect(quoted.rows!.at(-1)!.values['项目']).toBe('项目7999 名称');
  });

  it('a two-byte character split between two reads decodes whole (csv-parse path)', async () => {
    const filler = Array.from({ length: 2600 }, (_, i) => `F${i},${'x'.repeat(90)}`).join('\n');
    const head = gbk(`工号,项目\n${filler}\nT0,"`);
    const pad = CHUNK - head.length - 1; // the first byte of 张 is the last byte of the first read
    const file = Buffer.concat([head, Buffer.alloc(pad, 'y'), gbk(`张三"\n${body(50, '\n', 1)}\n`)]);
    expect(file[CHUNK - 1]).toBe(gbk('张')[0]);
    const r = await same(file);
    expect(r.rows![2600].values['项目']).toBe(`${'y'.repeat(pad)}张三`);
  });

  it('a BOM or valid UTF-8 stays UTF-8', async () => {
    const r = await same('\uFEFF工号,项目\nT1,测试\n');
    expect(r.rows![0].values['项目']).toBe('测试');
    const noBom = await same('工号,项目\nT1,测试\n');
    expect(noBom.rows![0].values['项目']).toBe('测试');
  });
});
