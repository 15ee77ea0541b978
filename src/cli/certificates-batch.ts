/**
 * `certificates <学校|all> --out DIR` — the officers' batch: every teacher of a school (or of every school) gets a
 * 学时证明 issued and recorded as `certificate <工号>` does, collected into DIR/学时证明-<学校>-<日期>.zip, with the
 * 培训档案 workbook beside it. An unknown school is refused with the list of known ones.
 */
import { mkdirSync } from 'node:fs';
import { dateIn } from '../time/zone.js';
import { publicUrl } from '../config.js';
import { exportCertificates } from '../certificates/batch.js';
import { policiesOf, teacherCount } from '../certificates/store.js';
import { listSchools } from '../deadlines/store.js';
import { audit } from '../ledger/audit.js';
import { CERTIFICATES_BATCH_USAGE, CERTIFICATES_USAGE, CliError, EXIT, loadApp, parse, requireSealFile, withDatabase, type CliIo } from './context.js';
import { createCountProgress } from './progress.js';

const ACTOR = 'cli';
/** An unknown school's refusal lists at most this many known ones (a county has hundreds). */
const LISTED = 30;

export async function certificatesBatchCommand(args: string[], io: CliIo): Promise<number> {
  const usage = `${CERTIFICATES_BATCH_USAGE}\n      ${CERTIFICATES_USAGE}`;
  const { values, positionals } = parse(args, { out: { type: 'string' } }, usage, { min: 1, max: 1 });
  const which = positionals[0].trim();
  if (!values.out) throw new CliError(`请用 --out 指定输出目录，例如 --out 证明导出。\n用法：${usage}`);
  const app = loadApp(io);
  requireSealFile(app.config.OFFICE_SEAL_PATH);
  const now = app.clock.now();
  const today = dateIn(now, app.config.TIMEZONE);
  return withDatabase(app.config.DATABASE_PATH, async (db) => {
    const known = listSchools(db);
    if (known.length === 0) throw new CliError('名册中还没有教师。请先导入名册（npm run cli -- import teachers <文件>）。');
    const schools = which.toLowerCase() === 'all' ? known : known.filter((s) => s === which);
    if (schools.length === 0) {
      const list = known.slice(0, LISTED).join('、') + (known.length > LISTED ? ` 等 ${known.length} 所` : '');
      throw new CliError(`名册中没有学校「${which}」。已有的学校：${list}。全部学校请写 all。`);
    }
    const missing = policiesOf(db, schools).filter((p) => !app.presets.has(p));
    if (missing.length) throw new CliError(`名册中的政策「${missing.join('、')}」未配置。`, EXIT.config);
    mkdirSync(values.out!, { recursive: true });
    const label = schools.length === 1 ? schools[0] : '全部学校';
    const progress = createCountProgress(io, teacherCount(db, schools), `开具学时证明（${label}）`);
    const result = await exportCertificates(db, app.presets, schools, values.out!, `学时证明-${schools.length === 1 ? schools[0] : '全部学校'}-${today}`, {
      officeName: app.config.OFFICE_NAME,
      sealPath: app.config.OFFICE_SEAL_PATH,
      baseUrl: publicUrl(app.config, app.config.PORT),
      today,
      now,
      issuedBy: ACTOR,
      onIssued: (t, serial) => audit(db, ACTOR, 'certificate.issue', { serial, employeeNo: t.employeeNo, year: null, batch: true }),
      onProgress: (done) => progress.update(done),
    }).finally(() => progress.stop());
    io.stdout.write(
      `已开具 ${result.teachers} 份学时证明（${result.schools.length} 所学校），共 ${Math.round(result.bytes / 1024)} KB：\n  ${result.zipPath}\n  ${result.workbookPath}（培训档案）\n`,
    );
    return EXIT.ok;
  }, { mustExist: true });
}
