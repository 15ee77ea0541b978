/**
 * `bind-code <工号>` — the one-time code an officer or school leader binds their chat account with. This is how the
 * first officer gets in: `officer add <工号>`, then `bind-code <工号>`, then `绑定 <工号> <姓名> <绑定码>` in chat.
 */
import { dateTimeIn } from '../time/zone.js';
import { issueBindCode, needsBindCode } from '../ledger/binding.js';
import { findTeacherByEmployeeNo } from '../ledger/teachers.js';
import { CliError, EXIT, loadApp, parse, withDatabase, type CliIo } from './context.js';
import { BIND_CODE_USAGE } from './usage.js';

export async function bindCodeCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parse(args, {}, BIND_CODE_USAGE, { min: 1, max: 1 });
  const employeeNo = positionals[0].trim();
  const app = loadApp(io);
  return withDatabase(app.config.DATABASE_PATH, (db) => {
    const teacher = findTeacherByEmployeeNo(db, employeeNo);
    if (!teacher) throw new CliError(`名册中没有工号「${employeeNo}」。请先导入名册（npm run cli -- import teachers <文件>）。`);
    if (!needsBindCode(db, teacher)) {
      throw new CliError(
        `${teacher.name}（工号 ${teacher.employeeNo}）不是培训管理员或学校负责人，本人在聊天中直接发送「绑定 ${teacher.employeeNo} ${teacher.name}」即可。` +
          `\n如要设为培训管理员：npm run cli -- officer add ${teacher.employeeNo}`,
      );
    }
    const issued = issueBindCode(db, teacher, 'cli', app.clock.now());
    io.stdout.write(
      `${teacher.name}（工号 ${teacher.employeeNo}，${teacher.school}）的绑定码：${issued.code}\n` +
        `${dateTimeIn(issued.expiresAt, app.config.TIMEZONE)} 前有效，仅可使用一次；此前发出的绑定码已作废。\n` +
        `请本人在飞书或钉钉中向学时助手发送：绑定 ${teacher.employeeNo} ${teacher.name} ${issued.code}\n`,
    );
    return EXIT.ok;
  }, { mustExist: true });
}
