/**
 * Images for the certificate, made so pdfkit embeds them in the same synchronous pass as the text: pdfkit
 * inflates a PNG's alpha channel asynchronously, so the QR is written without alpha and a transparent seal is
 * laid onto white paper first (the page is white, so it looks the same). The chat command issues a
 * certificate inside the event's transaction, which cannot wait.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import QRCode from 'qrcode';

interface PngImage {
  width: number;
  height: number;
  data: Buffer;
}
interface PngSync {
  read(buffer: Buffer): PngImage;
  write(png: PngImage, options?: { colorType?: number; inputColorType?: number }): Buffer;
}
const require = createRequire(import.meta.url);
const { PNG } = require('pngjs') as { PNG: { sync: PngSync } };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const RGBA = 6;
const RGB = 2;

/** The QR code of `url` as an RGB PNG (scale 4, quiet zone 1), black on white. */
export function qrPngSync(url: string): Buffer {
  const qr = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const { size, data } = qr.modules;
  const scale = 4;
  const margin = 1;
  const side = (size + 2 * margin) * scale;
  const pixels = Buffer.alloc(side * side * 4, 0xff);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const mx = Math.floor(x / scale) - margin;
      const my = Math.floor(y / scale) - margin;
      if (mx >= 0 && my >= 0 && mx < size && my < size && data[my * size + mx]) pixels.fill(0, (y * side + x) * 4, (y * side + x) * 4 + 3);
    }
  }
  return PNG.sync.write({ width: side, height: side, data: pixels }, { colorType: RGB, inputColorType: RGBA });
}

/** The seal file as pdfkit can embed it at once: a PNG flattened onto white; a JPEG as it is. */
export function sealImage(path: string): Buffer {
  const bytes = readFileSync(path);
  if (!bytes.subarray(0, 4).equals(PNG_SIGNATURE)) return bytes;
  const png = PNG.sync.read(bytes);
  const d = png.data;
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3] / 255;
    for (let c = 0; c < 3; c++) d[i + c] = Math.round(d[i + c] * a + 255 * (1 - a));
    d[i + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: RGB, inputColorType: RGBA });
}
