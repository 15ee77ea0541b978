/**
 * The 学时证明 as an A4 PDF. Chinese is drawn with Noto Sans SC (SIL OFL 1.1, shipped by the npm package
 * @expo-google-fonts/noto-sans-sc); pdfkit embeds only the glyphs used (a subset) with a ToUnicode map, so the
 * text stays selectable and searchable and one certificate is tens of KB, not the font's 10 MB.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { certificatesText as T } from '../bot/i18n/zh-CN.certificates.js';
import type { CertificateData, CertificateRecord } from './data.js';
import { groupSerial } from './serial.js';
import { qrPngSync, sealImage } from './png-sync.js';

const require = createRequire(import.meta.url);
let fontBytes: Buffer | null = null;
/** Read once per process: parsing is pdfkit's, but reading 10 MB per certificate would dominate a batch. */
function cjkFont(): Buffer {
  fontBytes ??= readFileSync(require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'));
  return fontBytes;
}

export interface CertificateIssue {
  serial: string;
  officeName: string;
  /** PNG or JPEG of the office seal, drawn over the signature line; optional. */
  sealPath?: string;
  /** ${PUBLIC_BASE_URL}/verify/<serial>: what the QR code encodes. */
  verifyUrl: string;
  issuedOn: string; // YYYY-MM-DD, Beijing
  issuedAt: Date;
}

const PAGE = { margin: 56, width: 595.28, height: 841.89 };
const COLS = { date: 90, project: 265, hours: 50, source: 70 };

/** The QR image pdfkit embeds; exported so tests can check what is encoded against what they decode. */
export function qrPng(url: string): Promise<Buffer> {
  return QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 1, scale: 4 });
}

export async function renderCertificatePdf(d: CertificateData, issue: CertificateIssue): Promise<Buffer> {
  return renderCertificatePdfSync(d, issue);
}

/**
 * The same certificate in one synchronous pass (the chat command renders inside its transaction): every
 * image is one pdfkit embeds without waiting (png-sync.ts), and the whole file is read from pdfkit's buffer
 * once `end()` has written it, no 'data' listener involved.
 */
export function renderCertificatePdfSync(d: CertificateData, issue: CertificateIssue): Buffer {
  const qr = qrPngSync(issue.verifyUrl);
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    info: { Title: `${T.title} ${d.name} ${groupSerial(issue.serial)}`, Author: issue.officeName, CreationDate: issue.issuedAt },
  });

  doc.registerFont('cjk', cjkFont());
  doc.font('cjk');
  const left = PAGE.margin;
  const width = PAGE.width - 2 * PAGE.margin;
  const bottom = PAGE.height - PAGE.margin;
  const ensure = (h: number) => {
    if (doc.y + h > bottom) doc.addPage();
  };

  doc.fontSize(13).text(issue.officeName, { align: 'center' });
  doc.moveDown(0.3).fontSize(20).text(d.year === null ? T.title : T.yearTitle(d.year), { align: 'center' });
  doc.moveDown(0.8).fontSize(11).text(T.intro(d.name, d.asOf));
  doc.moveDown(0.4);
  const info: [string, string][] = [
    [T.labels.name, d.name],
    [T.labels.employeeNo, d.employeeNo],
    [T.labels.school, d.school],
    [T.labels.cycle, T.cycle(d.cycleStart, d.cycleEnd)],
  ];
  for (const [label, value] of info) doc.text(T.labelled(label, value));
  doc.moveDown(0.4).fontSize(12).text(T.totals(d.required, d.earned, d.remaining));
  if (d.year !== null && d.yearEarned !== null) doc.fontSize(11).text(T.yearEarned(d.year, d.yearEarned));

  doc.moveDown(0.8).fontSize(13).text(T.recordsHeading);
  doc.fontSize(9.5);
  const row = (cells: Record<keyof typeof COLS, string>, grey = false) => {
    const h = Math.max(...(Object.keys(COLS) as (keyof typeof COLS)[]).map((k) => doc.heightOfString(cells[k], { width: COLS[k] - 6 })));
    ensure(h + 4);
    const y = doc.y;
    let x = left;
    if (grey) doc.rect(left, y - 2, width, h + 4).fill('#eeeeee').fillColor('black');
    for (const k of Object.keys(COLS) as (keyof typeof COLS)[]) {
      doc.text(cells[k], x, y, { width: COLS[k] - 6, align: k === 'hours' ? 'right' : 'left' });
      x += COLS[k];
    }
    doc.x = left;
    doc.y = y + h + 4;
  };
  const line = (r: CertificateRecord) =>
    row({ date: T.date(r.date), project: r.project || '—', hours: T.hours(r.hours), source: T.source(r.source) });
  if (d.groups.length === 0) doc.text(T.noRecords);
  for (const g of d.groups) {
    ensure(40);
    doc.moveDown(0.4).fontSize(10.5).text(T.groupHeading(g.year, g.category, g.total), left);
    doc.fontSize(9.5);
    row(T.columns, true);
    for (const r of g.records) line(r);
  }

  // Serial, QR and signature stay together on one page.
  const qrSize = 96;
  ensure(qrSize + 70);
  doc.moveDown(1);
  const y = doc.y;
  doc.image(qr, left, y, { width: qrSize, height: qrSize });
  doc.fontSize(10);
  const tx = left + qrSize + 14;
  doc.text(T.labelled(T.labels.serial, groupSerial(issue.serial)), tx, y + 4, { width: 190 });
  doc.text(T.verifyHint, tx, doc.y + 4, { width: 190 });
  doc.fontSize(8.5).text(issue.verifyUrl, tx, doc.y + 2, { width: 190 });
  const sx = left + width - 165;
  if (issue.sealPath) doc.image(sealImage(issue.sealPath), sx + 27, y - 10, { fit: [110, 110] });
  doc.fontSize(11).text(T.footer(issue.officeName), sx, y + 30, { width: 165, align: 'center' });
  doc.text(T.labelled(T.labels.issuedOn, T.date(issue.issuedOn)), sx, doc.y + 6, { width: 165, align: 'center' });

  doc.end();
  const state = (doc as unknown as { _readableState: { ended: boolean } })._readableState;
  if (!state.ended) throw new Error('certificate PDF was not finished synchronously');
  return (doc.read() as Buffer | null) ?? Buffer.alloc(0);
}
