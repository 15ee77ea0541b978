/** Reading a produced ZIP back with yauzl (a reader independent of the yazl writer): every entry, name → bytes. */
import yauzl from 'yauzl';

function readAll(open: (cb: (err: Error | null, zip: yauzl.ZipFile) => void) => void): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    open((err, zip) => {
      if (err) return reject(err);
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, s) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          s.on('data', (c: Buffer) => chunks.push(c));
          s.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

export const unzip = (path: string) => readAll((cb) => yauzl.open(path, { lazyEntries: true }, cb as never));
export const unzipBuffer = (bytes: Buffer) => readAll((cb) => yauzl.fromBuffer(bytes, { lazyEntries: true }, cb as never));
