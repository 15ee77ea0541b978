/**
 * Reading a produced PDF back as a viewer would: its text through pdf.js (Mozilla's, legacy build for Node), and
 * its first page rendered to pixels (pdf.js draws with @napi-rs/canvas in Node) so a QR code on it can be decoded
 * with jsQR exactly as a phone camera would.
 */
import jsQRModule from 'jsqr';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';

// jsqr is CommonJS with an `export default` typing: under NodeNext the default import is the module object.
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule.default }).default ?? jsQRModule) as unknown as typeof jsQRModule.default;

async function open(pdf: Buffer) {
  return getDocument({ data: new Uint8Array(pdf), verbosity: 0, isEvalSupported: false }).promise;
}

/** All text of every page, items joined without separators and pages by newlines. */
export async function pdfText(pdf: Buffer): Promise<string> {
  const doc = await open(pdf);
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((it) => ('str' in it ? it.str + (it.hasEOL ? '\n' : '') : '')).join(''));
  }
  await doc.destroy();
  return pages.join('\n');
}

export async function pdfPageCount(pdf: Buffer): Promise<number> {
  const doc = await open(pdf);
  const n = doc.numPages;
  await doc.destroy();
  return n;
}

/** Renders page `pageNo` at 2× and decodes the QR code on it; null when there is none. */
export async function pdfQr(pdf: Buffer, pageNo: number): Promise<string | null> {
  const doc = await open(pdf);
  const page = await doc.getPage(pageNo);
  const viewport = page.getViewport({ scale: 2 });
  const factory = doc.canvasFactory as unknown as {
    create(w: number, h: number): { canvas: { getContext(t: '2d'): CanvasRenderingContext2D } };
  };
  const { canvas } = factory.create(Math.ceil(viewport.width), Math.ceil(viewport.height));
  const ctx = canvas.getContext('2d');
  await page.render({ canvasContext: ctx, viewport, canvas: canvas as unknown as HTMLCanvasElement }).promise;
  const img = ctx.getImageData(0, 0, Math.ceil(viewport.width), Math.ceil(viewport.height));
  await doc.destroy();
  return jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data ?? null;
}

/** How many images page `pageNo` paints (the QR code, the seal). */
export async function pdfImageCount(pdf: Buffer, pageNo: number): Promise<number> {
  const doc = await open(pdf);
  const ops = await (await doc.getPage(pageNo)).getOperatorList();
  await doc.destroy();
  return ops.fnArray.filter((f) => f === OPS.paintImageXObject).length;
}
