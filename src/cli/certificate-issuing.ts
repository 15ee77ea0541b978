/** What `certificate` and `certificates` (the batch) both start with. */
import type { IssueOptions } from '../certificates/issue.js';
import { publicUrl } from '../config.js';
import { dateIn } from '../time/zone.js';
import { loadApp, requireSealFile, type CliIo } from './context.js';

/** Who the audit log and the certificates name as the issuer. */
export const CLI_ACTOR = 'cli';

/**
 * The app, and what every certificate the CLI issues is issued with (one or a batch): the office, its seal (checked
 * before any work), the verify link's base, today in the office's zone, by `cli`.
 */
export function certificateIssuing(io: CliIo): { app: ReturnType<typeof loadApp>; issuing: IssueOptions } {
  const app = loadApp(io);
  requireSealFile(app.config.OFFICE_SEAL_PATH);
  const now = app.clock.now();
  const issuing = {
    officeName: app.config.OFFICE_NAME,
    sealPath: app.config.OFFICE_SEAL_PATH,
    baseUrl: publicUrl(app.config, app.config.PORT),
    today: dateIn(now, app.config.TIMEZONE),
    now,
    issuedBy: CLI_ACTOR,
  };
  return { app, issuing };
}
