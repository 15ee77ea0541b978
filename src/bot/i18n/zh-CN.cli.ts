/**
 * The officer command line (`npm run cli -- …`): usages, the help page, refusals and results, as an officer reads
 * them in a terminal. Imports nothing, so every subcommand (and main.ts's help) can read it without a cycle.
 */
const usage = {
  import: 'npm run cli -- import teachers|records <文件.csv|文件.xlsx> [--skip-invalid] [--dry-run] [--stats]',
  hours: 'npm run cli -- hours <工号> [--as-of <日期>] [--json]',
  officer: 'npm run cli -- officer add <工号> | officer remove <工号> | officer list',
  demo: 'npm run cli -- demo',
  bindCode: 'npm run cli -- bind-code <工号>',
  records:
    'npm run cli -- records revoke <编号> --reason <原因> | records correct <编号> [--hours 8] [--category 师德师风] [--date 2026-03-01] --reason <原因>',
  declarations: 'npm run cli -- declarations list|show|approve|reject|export …（npm run cli -- declarations help 查看详情）',
  session: 'npm run cli -- session create|list|show|attendance|close|cancel …（npm run cli -- session help 查看详情）',
  broadcast: 'npm run cli -- broadcast status <编号> [--json] | broadcast list',
  deadlines: [
    'npm run cli -- deadlines add <标题> <日期> [时间] [学校:一中,二中|全部] [提前:30,7,3,1,0]',
    '                 deadlines list | status <事项> | file <事项> <学校> | cancel <事项>',
  ].join('\n'),
  certificate: 'npm run cli -- certificate <工号> [--year 2025] --out <文件.pdf>',
  certificates: 'npm run cli -- certificates revoke <证明编号> <原因>',
  certificatesBatch: 'npm run cli -- certificates <学校|all> --out <目录>',
  backup: 'npm run cli -- backup [--dir <目录>] [--keep <份数>]',
  restore: 'npm run cli -- restore <备份文件>',
};

/** "用法：…": the line every refusal ends with. */
const usageLine = (u: string) => `用法：${u}`;
const notInRoster = (no: string) => `名册中没有工号「${no}」。请核对工号，或先导入名册。`;
const teacherAt = (name: string, no: string, school: string) => `${name}（工号 ${no}，${school}）`;

export const cliText = {
  usage,
  usageLine,
  /** A refusal, then the usage on the next line. */
  withUsage: (message: string, u: string) => `${message}\n${usageLine(u)}`,
  help: [
    '学时助手 管理命令行',
    '用法：',
    `  ${usage.import}`,
    '      导入名册（表头：工号,姓名,学校,入职日期,师范毕业,班主任,职务,政策）',
    '      或学时记录（表头：工号,日期,学时,类别,项目,编号）；CSV（UTF-8 或 Excel 保存的 GBK）或 .xlsx',
    `  ${usage.hours}`,
    `  ${usage.officer}`,
    `  ${usage.bindCode}`,
    '      培训管理员、学校负责人的一次性绑定码（本人发送「绑定 工号 姓名 绑定码」）',
    `  ${usage.records}`,
    '      撤销或更正一条学时记录（导入或签到产生；须写原因，记入操作日志）',
    `  ${usage.demo}`,
    `  ${usage.session}`,
    `  ${usage.broadcast}`,
    '  npm run cli -- deadlines …（npm run cli -- deadlines help 查看详情）',
    `  ${usage.certificate}`,
    '      开具一位教师的学时证明（PDF，带编号和核验二维码）',
    `  ${usage.certificates}`,
    '      作废一份学时证明（记入操作日志，核验页面显示已作废）',
    `  ${usage.certificatesBatch}`,
    '      为一所学校（或全部学校）每位教师开具学时证明：ZIP（姓名_工号.pdf）和培训档案工作簿',
    `  ${usage.declarations}`,
    '      学时申报：列出、查看、以学校负责人或培训管理员身份通过或退回（须写原因），导出为 Excel 或 CSV',
    '  npm run cli -- surveys template show|set [--category <培训类别>] [--file <问题.json>]',
    '      培训评价的问题模板（按培训类别，不写类别即默认模板）',
    `  ${usage.backup}`,
    '      在线备份 SQLite 数据库（学时助手运行时也可以），文件名带北京时间，只保留最近若干份',
    `  ${usage.restore}`,
    '      用备份文件恢复数据库（须先停止学时助手；原数据库文件改名保留）',
    '退出码：0 成功，1 输入有误，2 配置错误',
  ].join('\n'),
  unknownCommand: (name: string) => `不认识的命令「${name}」。`,
  crashed: (detail: string) => `出错了：${detail}`,
  badSubcommand: (sub: string | undefined) => `不认识的子命令「${sub}」。`,
  badAction: (action: string | undefined) => `不认识的操作「${action}」。`,
  notInRoster,
  policyMissing: (no: string, policy: string) => `工号「${no}」所属的政策「${policy}」未配置。`,
  args: {
    unknownOption: (option: string) => `未知选项 ${option}`,
    missing: '缺少参数。',
    extra: (extra: string[]) => `多余的参数：${extra.join(' ')}`,
  },
  databaseMissing: (path: string) =>
    `数据库文件不存在：${path}。请检查 DATABASE_PATH，或先导入名册（npm run cli -- import teachers <文件>）。`,
  sealMissing: (seal: string) => `OFFICE_SEAL_PATH 指向的印章图片不存在：${seal}。请改正路径，或留空不加印章。`,
  seconds: (s: string) => `${s} 秒`,

  hours: {
    /** `described` is describeDate(today), "2026年6月30日（周二）": the example drops the weekday. */
    badAsOf: (arg: string | undefined, reason: string, today: string, described: string) =>
      `--as-of「${arg}」不是有效日期（${reason}），例如 ${today}、${described.replace(/（.*$/, '')} 或 月底。`,
    policyMissing: (no: string, policy: string, choices: string[]) =>
      `工号「${no}」所属的政策「${policy}」未配置（可选：${choices.join('、')}）。`,
  },

  officer: {
    notInRoster: (no: string) => `名册中没有工号「${no}」。培训管理员也须先在名册中（先导入名册）。`,
    extraArgs: '多余的参数。',
    missingNo: '缺少工号。',
    none: '暂无培训管理员。添加：npm run cli -- officer add <工号>',
    count: (n: number) => `培训管理员 ${n} 人：`,
    line: (no: string, name: string, school: string, by: string, at: string) => `${no}\t${name}\t${school}\t授予：${by} ${at}`,
    added: (name: string, no: string, school: string) => `已将 ${teacherAt(name, no, school)} 设为培训管理员。`,
    already: (name: string, no: string, school: string) => `${teacherAt(name, no, school)} 已经是培训管理员，无需重复添加。`,
    nextStep: (no: string, name: string) =>
      `下一步：${usage.bindCode.replace('<工号>', no)} 生成绑定码，本人在聊天中发送「绑定 ${no} ${name} <绑定码>」。`,
    removed: (name: string, no: string, school: string) => `已取消 ${teacherAt(name, no, school)} 的培训管理员权限。`,
    notOfficer: (name: string, no: string, school: string) => `${teacherAt(name, no, school)} 不是培训管理员，无需取消。`,
  },

  bindCode: {
    notInRoster: (no: string) => `名册中没有工号「${no}」。请先导入名册（npm run cli -- import teachers <文件>）。`,
    notNeeded: (name: string, no: string) =>
      `${name}（工号 ${no}）不是培训管理员或学校负责人，本人在聊天中直接发送「绑定 ${no} ${name}」即可。` +
      `\n如要设为培训管理员：npm run cli -- officer add ${no}`,
    issued: (name: string, no: string, school: string, code: string, until: string) =>
      `${teacherAt(name, no, school)}的绑定码：${code}\n` +
      `${until} 前有效，仅可使用一次；此前发出的绑定码已作废。\n` +
      `请本人在飞书或钉钉中向学时助手发送：绑定 ${no} ${name} ${code}`,
  },

  records: {
    /** The chat's "missing reason" sentence, with the flag that gives one. */
    missingReason: (sentence: string) => `${sentence}（--reason "…"）。`,
    revokeTakesNoValues: '撤销不需要 --hours/--category/--date；要改值请用 records correct。',
  },

  demo: {
    written: (path: string, teachers: number, records: number, today: string) =>
      `【演示数据】已写入 ${path}：${teachers} 位演示教师、${records} 条演示学时记录（截至 ${today}）。`,
    fictional: '以下全部为虚构的演示数据（工号 DEMO 开头），不含任何真实信息。',
    castBlurb: (blurb: string, policy: string) => `${blurb}，政策 ${policy}`,
    next: '下一步：启动演示服务器并在终端里与学时助手对话（后台与投影页链接会打印出来）',
    startAs: (no: string, name: string) =>
      `  （以 ${no} ${name} 的身份开始；试试「我还差多少学时」「记录」「帮助」，/as 校长、/as 管理员 切换身份）`,
    hoursDirectly: (path: string) => `也可直接查询：DATABASE_PATH=${path} npm run cli -- hours DEMO002`,
  },

  broadcast: {
    none: '还没有通知。',
    status: { sending: '已发送', preview: '待确认', cancelled: '已取消' } as Record<string, string>,
    line: (id: number, status: string, recipients: number, excerpt: string) => `#${id}  ${status}  ${recipients} 人  ${excerpt}`,
  },

  deadlines: {
    missingItem: '缺少事项。',
    cancelled: (id: number, title: string) => `已取消截止事项 #${id}：${title}，不再提醒。`,
  },

  sessions: {
    idArg: '<编号>',
    counts: (status: string, signedIn: number, expected: number, signedOut: number | null) =>
      `状态 ${status} · 已签到 ${signedIn} / 应到 ${expected}${signedOut === null ? '' : ` · 已签退 ${signedOut}`}`,
  },

  attendance: {
    outside: (state: string, outside: string) => `${state}（${outside}）`,
    creator: '学时助手',
    sheet: '签到',
  },

  declarations: {
    state: (state: string, step: string | null, revokedMark: string) => `${state}${step ? `（${step}）` : ''}${revokedMark}`,
    assignee: (name: string, no: string) => `${name}（${no}）`,
    flags: (flags: string[]) => flags.join('；'),
    line: (parts: string[]) => parts.filter(Boolean).join('  '),
    categoryHours: (category: string, hours: string) => `${category} ${hours} 学时`,
    project: (project: string) => `「${project}」`,
  },

  import: {
    kinds: { teachers: '名册', records: '学时记录' } as Record<'teachers' | 'records', string>,
    badKind: (kind: string) => `不认识的导入类型「${kind}」：应为 teachers（名册）或 records（学时记录）。`,
    progress: (label: string) => `导入${label}`,
    /** `--stats`: wall time, CPU (the main thread's share when known), busy share, peak memory, rows per second. */
    stats: (elapsed: string, cpu: string, mainCpu: string | null, busyPct: number, rssMib: string, rowsPerSecond: string) =>
      `统计：用时 ${elapsed}（进程 CPU ${cpu}` +
      `${mainCpu === null ? '' : `，其中主线程 ${mainCpu}`}，主线程繁忙 ${busyPct}%），` +
      `峰值内存（RSS）${rssMib} MiB，` +
      `${rowsPerSecond} 行/秒`,
    counts: {
      rows: (n: string) => `共 ${n} 行`,
      added: (n: string, would: boolean) => `${would ? '可新增' : '新增'} ${n}`,
      updated: (n: string, would: boolean) => `${would ? '可更新' : '更新'} ${n}`,
      unchanged: (n: string) => `未变 ${n}`,
      skipped: (n: string) => `重复 ${n} 行（与前面的行相同，只算一次）`,
      invalid: (n: string) => `错误 ${n} 行`,
      leaders: (granted: string, revoked: string) => `学校负责人权限 新授予 ${granted}、取消 ${revoked}`,
      join: (parts: string[]) => parts.join('，'),
    },
    name: (label: string, file: string) => `导入${label}「${file}」`,
    timed: (counts: string, elapsed: string) => `${counts}；用时 ${elapsed}`,
    badHeader: (name: string, errors: string) => `${name}：表头不符合要求，未导入任何数据。（错误 ${errors} 处，见上）`,
    rejected: (name: string, counts: string, invalid: string, dryRun: boolean) =>
      `${name}：${counts}。\n文件有 ${invalid} 行错误（见上），${dryRun ? '正式导入时会被拒绝' : '未导入任何数据'}。` +
      `请改正后重新导入，或加 --skip-invalid 只导入正确的行。`,
    dryRun: (name: string, counts: string) => `${name}（试运行，未写入数据库）：${counts}。`,
    done: (name: string, counts: string, skipped: string | null) =>
      `${name}完成：${counts}。${skipped === null ? '' : `（已跳过 ${skipped} 行错误，见上）`}`,
  },

  progress: {
    bar: (label: string) => `${label} |{bar}| {percentage}% | {rows} 行 | 已用 {duration_formatted}`,
    line: (label: string, rows: string, pct: number | null) => `${label}：已读取 ${rows} 行${pct === null ? '' : `（约 ${pct}%）`}…`,
    countBar: (label: string) => `${label} |{bar}| {value}/{total} | 已用 {duration_formatted} | 约剩 {eta_formatted}`,
    countLine: (label: string, done: string, total: string) => `${label}：${done}/${total}`,
  },

  certificate: {
    needOut: '请用 --out 指定输出文件，例如 --out 学时证明.pdf。',
    badYear: (year: string) => `--year「${year}」应为四位年份，例如 2025。`,
    issued: (name: string, no: string, serial: string, file: string, kb: number, url: string) =>
      `已开具 ${name}（${no}）的学时证明，编号 ${serial}，已保存到 ${file}（${kb} KB）。\n核验网址：${url}`,
    yearOutOfRange: (year: string | undefined) => `年份 ${year} 不在可开具的范围内（不能晚于今年）。`,
    badSerial: (serial: string) => `证明编号「${serial}」格式不对：应为 16 位字母数字，例如 ABCD-EFGH-JKLM-NPQR。`,
    needReason: '请写明作废原因。',
    notFound: (serial: string) => `没有编号为「${serial}」的有效学时证明（编号不存在或已作废）。`,
    revoked: (serial: string, reason: string) => `已作废学时证明 ${serial}（原因：${reason}），核验页面将显示“已作废”。`,
  },

  certificates: {
    needOut: '请用 --out 指定输出目录，例如 --out 证明导出。',
    emptyRoster: '名册中还没有教师。请先导入名册（npm run cli -- import teachers <文件>）。',
    /** An unknown school: at most `listed` known ones are named (a county has hundreds). */
    unknownSchool: (which: string, known: string[], listed: number) =>
      `名册中没有学校「${which}」。已有的学校：${known.slice(0, listed).join('、') + (known.length > listed ? ` 等 ${known.length} 所` : '')}。全部学校请写 all。`,
    policiesMissing: (policies: string[]) => `名册中的政策「${policies.join('、')}」未配置。`,
    allSchools: '全部学校',
    progress: (label: string) => `开具学时证明（${label}）`,
    baseName: (label: string, today: string) => `学时证明-${label}-${today}`,
    done: (teachers: number, schools: number, kb: number, zip: string, workbook: string) =>
      `已开具 ${teachers} 份学时证明（${schools} 所学校），共 ${kb} KB：\n  ${zip}\n  ${workbook}（培训档案）`,
  },
};

export type CliText = typeof cliText;
