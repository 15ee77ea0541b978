import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Files under a folder and their bytes (a folder not made yet holds none). */
export function du(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  if (!existsSync(dir)) return { files, bytes };
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += statSync(join(e.parentPath, e.name)).size;
  }
  return { files, bytes };
}
