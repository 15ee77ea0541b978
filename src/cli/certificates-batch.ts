/**
 * `certificates <学校|all> --out DIR` — the officers' batch: every teacher of a school (or of every school) gets a
 * 学时证明 issued and recorded as `certificate <工号>` does, collected into DIR/学时证明-<学校>-<日期>.zip, with the
 * 培训档案 workbook beside it. An unknown school is refused with the list of known ones.
 */
// Loads the platforms' traits (card forms, preference), which the chat messages queued here are built with.
import '../platforms/registry.js';
import { mkdirSync } from 'node:fs';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { exportCertificates } from '../certificates/batch.js';
import { policiesOf, teacherCount } from '../certificates/store.js';
import { listSchools } from '../deadlines/store.js';
import { audit } from '../ledger/audit.js';
import { CERTIFICATES_BATCH_USAGE, CERTIFICATES_USAGE, CliError, EXIT, parse, withDatabase, type CliIo } from './context.js';
import { CLI_ACTOR as ACTOR, certificateIssuing } from './certificate-issuing.js';
import { createCountProgress } from './progress.js';

/** An unknown school's refusal lists at most this many known ones (a county has hundreds). */
const LISTED = 30;

export async function certificatesBatchCommand(args: string[], io: CliIo): Promise<number> {
  const usage = `${CERTIFICATES_BATCH_USAGE}\n      ${CERTIFICATES_USAGE}`;
  const { values, positionals } = parse(args, { out: { type: 'string' } }, usage, { min: 1, max: 1 });
  const which = positionals[0].trim();
  if (!values.out) throw new CliError(cliText.withUsage(cliText.certificates.needOut, usage));
  const { app, issuing } = certificateIssuing(io);
  return withDatabase(app.config, async (db) => {
    const known = await listSchools(db);
    if (known.length === 0) throw new CliError(cliText.certificates.emptyRoster);
    const schools = which.toLowerCase() === 'all' ? known : known.filter((s) => s === which);
    if (schools.length === 0) throw new CliError(cliText.certificates.unknownSchool(which, known, LISTED));
    const missing = (await policiesOf(db, schools)).filter((p) => !app.presets.has(p));
    if (missing.length) throw new CliError(cliText.certificates.policiesMissing(missing), EXIT.config);
    mkdirSync(values.out!, { recursive: true });
    const label = schools.length === 1 ? schools[0] : cliText.certificates.allSchools;
    const progress = createCountProgress(io, await teacherCount(db, schools), cliText.certificates.progress(label));
    const result = await exportCertificates(db, app.presets, schools, values.out!, cliText.certificates.baseName(label, issuing.today), {
      ...issuing,
      onIssued: async (t, serial) => audit(db, ACTOR, 'certificate.issue', { serial, employeeNo: t.employeeNo, year: null, batch: true }),
      onProgress: (done) => progress.update(done),
    }).finally(() => progress.stop());
    const kb = Math.round(result.bytes / 1024);
    io.stdout.write(`${cliText.certificates.done(result.teachers, result.schools.length, kb, result.zipPath, result.workbookPath)}\n`);
    return EXIT.ok;
  }, { mustExist: true });
}
