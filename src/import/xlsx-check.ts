/**
 * Reads an XLSX's zip central directory (yauzl) before anything is inflated and refuses a workbook whose
 * declared sizes are absurd: an entry or the whole archive too big once inflated, an entry compressed far
 * better than real spreadsheets are (a decompression bomb), or more shared strings than any real table.
 * Sizes in a zip can lie; the reader thread's heap limit is the backstop (see limits.ts).
 */
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { ImportLimits } from './limits.js';
import { ImportFileError } from './types.js';
import { importText } from '../bot/i18n/zh-CN.import.js';

const words = importText.xlsx;

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
    if (code === 'ENOENT') throw new ImportFileError(importText.file.notFound(name));
    throw new ImportFileError(words.unreadable(name, (e as Error).message));
  }
  const refuse = (why: string) =>
    new ImportFileError(words.refused(name, why));
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
          return reject(refuse(words.entryTooBig(entry.fileName, mb(size), mb(limits.maxEntryBytes))));
        }
        if (total > limits.maxTotalBytes) return reject(refuse(words.totalTooBig(mb(limits.maxTotalBytes))));
        if (size >= limits.ratioFromBytes && size > limits.maxRatio * Math.max(1, entry.compressedSize)) {
          const ratio = Math.round(size / Math.max(1, entry.compressedSize));
          return reject(refuse(words.ratioTooHigh(entry.fileName, ratio, limits.maxRatio)));
        }
        if (entry.fileName === SHARED_STRINGS) sharedStrings = entry;
        zip.readEntry();
      });
      zip.readEntry();
    });
    const sst = sharedStrings as Entry | null;
    if (sst) {
      if (sst.uncompressedSize > limits.maxSharedStringsBytes) {
        throw refuse(words.textTooBig(mb(sst.uncompressedSize), mb(limits.maxSharedStringsBytes)));
      }
      const declared = declaredSharedStrings(await readHead(zip, sst, SST_HEAD_BYTES));
      if (declared !== null && declared > limits.maxSharedStrings) {
        throw refuse(words.tooManyTexts(declared, limits.maxSharedStrings));
      }
    }
  } catch (e) {
    if (e instanceof ImportFileError) throw e;
    throw new ImportFileError(words.unreadable(name, (e as Error).message));
  } finally {
    zip.close();
  }
}
