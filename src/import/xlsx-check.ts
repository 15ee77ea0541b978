/**
 * Reads an XLSX's zip central directory (yauzl) before anything is inflated and refuses a workbook whose
 * declared sizes are absurd: an entry or the whole archive too big once inflated, an entry compressed far
 * better than real spreadsheets are (a decompression bomb), or more shared strings than any real table.
 * Sizes in a zip can lie; the reader thread's heap limit is the backstop (see limits.ts).
 */
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { ImportLimits } from './limits.js';
import { ImportFileError } from './types.js';

const MiB = 1024 * 1024;
const mb = (bytes: number) => `${Math.ceil(bytes / MiB)} MB`;
const SHARED_STRINGS = 'xl/sharedStrings.xml';
/** Enough of sharedStrings.xml to hold its <sst count=… uniqueCount=…> start tag. */
const SST_HEAD_BYTES = 4096;

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) => (err ? reject(err) : resolve(zip!))),
  );
}

/** The first bytes of an entry, inflated (the stream is dropped after them). */
function readHead(zip: ZipFile, entry: Entry, bytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(err);
      const chunks: Buffer[] = [];
      let got = 0;
      const done = () => {
        stream.destroy();
        resolve(Buffer.concat(chunks).toString('utf8'));
      };
      stream.on('data', (c: Buffer) => {
        chunks.push(c);
        got += c.length;
        if (got >= bytes) done();
      });
      stream.on('end', done);
      stream.on('error', (e) => (got >= bytes ? undefined : reject(e)));
    });
  });
}

/** Declared distinct strings (uniqueCount, else count) of a sharedStrings.xml start; null when not declared. */
export function declaredSharedStrings(head: string): number | null {
  const tag = /<(?:\w+:)?sst\b[^>]*>/.exec(head)?.[0];
  if (!tag) return null;
  const unique = /\suniqueCount="(\d+)"/.exec(tag)?.[1] ?? /\scount="(\d+)"/.exec(tag)?.[1];
  return unique === undefined ? null : Number(unique);
}

/** Throws an ImportFileError (Chinese, for the officer) when the workbook must not be read. */
export async function checkXlsxArchive(path: string, name: string, limits: ImportLimits): Promise<void> {
  let zip: ZipFile;
  try {
    zip = await openZip(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new ImportFileError(`找不到文件：${name}`);
    throw new ImportFileError(`无法读取 XLSX 文件 ${name}：${(e as Error).message}。请确认文件是 Excel 2007 及以后的 .xlsx 格式。`);
  }
  const refuse = (why: string) =>
    new ImportFileError(`文件 ${name} ${why}，已拒绝导入：这不像正常的 Excel 表格（可能是“压缩炸弹”）。请确认文件无误，或另存为 CSV 后导入。`);
  try {
    let total = 0;
    let sharedStrings: Entry | null = null;
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: Entry) => {
        const size = entry.uncompressedSize;
        total += size;
        if (size > limits.maxEntryBytes) {
          return reject(refuse(`中的 ${entry.fileName} 解压后有 ${mb(size)}（上限 ${mb(limits.maxEntryBytes)}）`));
        }
        if (total > limits.maxTotalBytes) return reject(refuse(`解压后超过 ${mb(limits.maxTotalBytes)}`));
        if (size >= limits.ratioFromBytes && size > limits.maxRatio * Math.max(1, entry.compressedSize)) {
          const ratio = Math.round(size / Math.max(1, entry.compressedSize));
          return reject(refuse(`中的 ${entry.fileName} 压缩了 ${ratio} 倍（正常表格不超过 ${limits.maxRatio} 倍）`));
        }
        if (entry.fileName === SHARED_STRINGS) sharedStrings = entry;
        zip.readEntry();
      });
      zip.readEntry();
    });
    const sst = sharedStrings as Entry | null;
    if (sst) {
      if (sst.uncompressedSize > limits.maxSharedStringsBytes) {
        throw refuse(`的文字内容解压后有 ${mb(sst.uncompressedSize)}（上限 ${mb(limits.maxSharedStringsBytes)}）`);
      }
      const declared = declaredSharedStrings(await readHead(zip, sst, SST_HEAD_BYTES));
      if (declared !== null && declared > limits.maxSharedStrings) {
        throw refuse(`声明了 ${declared} 个不同的文字（上限 ${limits.maxSharedStrings} 个）`);
      }
    }
  } catch (e) {
    if (e instanceof ImportFileError) throw e;
    throw new ImportFileError(`无法读取 XLSX 文件 ${name}：${(e as Error).message}。请确认文件是 Excel 2007 及以后的 .xlsx 格式。`);
  } finally {
    zip.close();
  }
}
