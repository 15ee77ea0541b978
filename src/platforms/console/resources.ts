/**
 * The console's /attach: the "platform key" is a local path typed by the operator (who holds the database
 * anyway). Read like any download, so the same checks (type by content, size limit) apply.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { OpenedResource, ResourceRef, ResourceSource } from '../../declarations/evidence/source.js';

export const consoleResources: ResourceSource = {
  platform: 'console',
  async open(ref: ResourceRef, signal: AbortSignal): Promise<OpenedResource> {
    try {
      const info = await stat(ref.key);
      if (!info.isFile()) return { ok: false, permanent: true, error: `not a file: ${ref.key}` };
      return { ok: true, body: createReadStream(ref.key, { signal }), size: info.size };
    } catch (error) {
      return { ok: false, permanent: true, error: String(error) };
    }
  },
};
