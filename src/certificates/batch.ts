/**
 * Officers' batch export of 学时证明: every teacher of one school (or of all schools) gets a certificate issued
 * and recorded exactly as the single one is (issueCertificate), written one at a time into a ZIP (姓名_工号.pdf)
 * and summed into a 培训档案 workbook (one sheet per school, one row per teacher, one column per year and
 * category under a merged year header). Both files are streamed: one PDF and one page of teachers are in memory
 * at a time, so memory stays flat in the number of teachers. Files are written under a temporary name and
 * renamed when complete, so a crash never leaves a ZIP that looks whole.
 */
import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import yazl from 'yazl';
import type { Db } from '../../db/client.js';
import type { TeacherRow } from '../ledger/store.js';
import type { PolicyPreset } from '../policy/schema.js';
import { issueCertificate, type IssueOptions } from './issue.js';
import { teacherCount, teachersOf, yearCategories } from './store.js';
import { certificatesText } from '../bot/i18n/zh-CN.certificates.js';

const T = certificatesText.archive;

export interface BatchOptions extends Omit<IssueOptions, 'year'> {
  /** Called after each teacher (done counts from 1). */
  onProgress?: (done: number, total: number) => void;
  /** Called after each certificate is issued (the CLI audits it). */
  onIssued?: (teacher: TeacherRow, serial: string) => void | Promise<void>;
  /** Also put the workbook into the ZIP under this name (the console's one download). */
  workbookEntry?: string;
}

export interface BatchResult {
  zipPath: string;
  workbookPath: string;
  schools: string[];
  teachers: number;
  bytes: number;
}

/** Rendering waits when this much PDF is queued in the ZIP but not yet on disk. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;

/** Excel sheet names: at most 31 characters, none of []:*?/\ , unique in the workbook. */
function sheetName(school: string, taken: Set<string>): string {
  const base = school.replace(/[[\]:*?/\\]/g, '_').slice(0, 31) || T.sheetFallback;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 31 - `(${i})`.length)}(${i})`;
  taken.add(name);
  return name;
}

/** File names inside the ZIP: 姓名_工号.pdf, without characters a file system refuses. */
export const safeFileName = (s: string) => s.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').trim() || '_';

const FIXED_HEADERS = T.headers;

async function waitForDisk(out: WriteStream, queued: number): Promise<void> {
  while (queued - out.bytesWritten > MAX_PENDING_BYTES) await new Promise((r) => setTimeout(r, 5));
}

export async function exportCertificates(
  db: Db,
  presets: ReadonlyMap<string, PolicyPreset>,
  schools: readonly string[],
  dir: string,
  baseName: string,
  o: BatchOptions,
): Promise<BatchResult> {
  const zipPath = join(dir, `${baseName}.zip`);
  const workbookPath = join(dir, T.fileName(baseName));
  const zipTmp = `${zipPath}.part`;
  const xlsxTmp = `${workbookPath}.part`;
  const total = await teacherCount(db, schools);
  const zip = new yazl.ZipFile();
  const zipOut = createWriteStream(zipTmp);
  const zipFailed = new Promise<never>((_, reject) => zipOut.on('error', reject));
  zipFailed.catch(() => {});
  zip.outputStream.pipe(zipOut);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: xlsxTmp, useStyles: true, useSharedStrings: false });
  const taken = new Set<string>();
  const folders = schools.length > 1;
  let done = 0;
  let queued = 0;
  try {
    for (const school of schools) {
      const groups = await yearCategories(db, school, o.today);
      const sheet = workbook.addWorksheet(sheetName(school, taken), { views: [{ state: 'frozen', xSplit: 2, ySplit: 2 }] });
      sheet.columns = [...FIXED_HEADERS.map(() => ({ width: 12 })), ...groups.map(() => ({ width: 11 }))];
      sheet.getColumn(3).width = 24;
      sheet.getColumn(7).width = 22;
      // Two header rows: the fixed headers span both; each year spans its categories.
      const years = [...new Set(groups.map((g) => g.year))];
      const head = [sheet.addRow([...FIXED_HEADERS, ...groups.map((g) => T.year(g.year))]), sheet.addRow([...FIXED_HEADERS.map(() => null), ...groups.map((g) => g.category)])];
      FIXED_HEADERS.forEach((_, i) => sheet.mergeCells(1, i + 1, 2, i + 1));
      let col = FIXED_HEADERS.length + 1;
      for (const y of years) {
        const n = groups.filter((g) => g.year === y).length;
        if (n > 1) sheet.mergeCells(1, col, 1, col + n - 1);
        col += n;
      }
      // Merges first: a committed row can no longer be touched.
      for (const row of head) {
        row.font = { bold: true };
        row.alignment = { horizontal: 'center', vertical: 'middle' };
        row.commit();
      }
      const index = new Map(groups.map((g, i) => [`${g.year}\u0000${g.category}`, i]));
      for await (const teacher of teachersOf(db, school)) {
        const cert = await issueCertificate(db, presets, teacher, { ...o, year: null });
        await o.onIssued?.(teacher, cert.serial);
        const d = cert.data;
        const byGroup: (number | null)[] = groups.map(() => null);
        for (const g of d.groups) {
          const i = index.get(`${g.year}\u0000${g.category}`);
          if (i !== undefined) byGroup[i] = g.total;
        }
        const cycle = d.cycleStart && d.cycleEnd ? T.cycle(d.cycleStart, d.cycleEnd) : '';
        sheet.addRow([d.employeeNo, d.name, cycle, d.required, d.earned, d.remaining, cert.serial, ...byGroup]).commit();
        const name = `${safeFileName(d.name)}_${safeFileName(d.employeeNo)}.pdf`;
        // PDF streams are already deflated by pdfkit: store them, compressing again costs time for nothing.
        zip.addBuffer(cert.pdf, folders ? `${safeFileName(school)}/${name}` : name, { compress: false, mtime: o.now });
        queued += cert.pdf.length;
        await Promise.race([waitForDisk(zipOut, queued), zipFailed]);
        o.onProgress?.(++done, total);
        // One certificate is tens of milliseconds of synchronous rendering: give the event loop a turn after
        // each, so a server running the batch keeps answering webhooks and pages (and the ZIP drains to disk).
        await new Promise((r) => setImmediate(r));
      }
      sheet.commit();
    }
    await workbook.commit();
    if (o.workbookEntry) zip.addFile(xlsxTmp, o.workbookEntry, { compress: true, mtime: o.now });
    zip.end();
    await Promise.race([once(zipOut, 'finish'), zipFailed]);
    renameSync(zipTmp, zipPath);
    renameSync(xlsxTmp, workbookPath);
    return { zipPath, workbookPath, schools: [...schools], teachers: done, bytes: zipOut.bytesWritten };
  } catch (error) {
    zipOut.destroy();
    rmSync(zipTmp, { force: true });
    rmSync(xlsxTmp, { force: true });
    throw error;
  }
}
