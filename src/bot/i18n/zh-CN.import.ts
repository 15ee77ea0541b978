/**
 * Roster and record import: header problems, file refusals and reader failures, as officers read them in the
 * CLI, the console and the admin pages. Imports nothing, so the reader thread can load it too.
 */
const ENCODING_HINT = 'CSV 应为 UTF-8 或 GBK 编码（Excel 直接“另存为 CSV”即可），也可直接导入 .xlsx 文件。';
const NOT_XLSX = '请确认文件是 Excel 2007 及以后的 .xlsx 格式。';

export const importText = {
  /** One cell's reason: the exact words officers see (tests compare against these). */
  rows: {
    required: '不能为空',
    tooLong: (max: number) => `不能超过 ${max} 个字符`,
    dateFormat: '应为日期，例如 2026-03-01、2026/3/1 或 2026年3月1日',
    dateInvalid: (v: string) => `「${v}」不是有效的日期（没有这一天）`,
    dateFuture: (today: string) => `晚于今天（${today}），不能登记未来的学时`,
    yesNo: '应填写“是”或“否”',
    yesNoOrEmpty: '应填写“是”或“否”（不清楚可留空）',
    unknownPolicy: (v: string, choices: string) => `没有政策「${v}」，可选：${choices}`,
    notNumber: (v: string) => `「${v}」不是数字`,
    notPositive: '必须大于 0',
    tooMany: (max: number) => `不能超过 ${max}`,
    decimals: '最多保留两位小数',
    notInRoster: (no: string) => `名册中没有工号「${no}」，请先导入名册`,
    policyMissing: (no: string, id: string) => `工号「${no}」所属的政策「${id}」未配置，请联系管理员`,
    unknownCategory: (v: string, policy: string, keys: readonly string[]) =>
      `「${v}」不是政策 ${policy} 认可的类别，可用：${keys.join('、')}`,
    extraCells: (n: number) => `该行有 ${n} 个单元格超出表头范围（是否多了逗号或错列？）`,
    duplicateInFile: (col: string, v: string, row: number) => `${col}「${v}」与第 ${row} 行重复，但内容不同`,
    conflictInDb: (v: string, existing: string) =>
      `编号「${v}」已导入过，但内容不同（已有：${existing}）。不会覆盖；如需更正请先撤销原记录或换用新编号`,
    /** The stored record a conflicting row is compared with: "工号 T001，2026-03-01，8 学时，师德师风，项目". */
    storedRecord: (no: string, date: string, hours: string, category: string, project: string | null) =>
      `工号 ${no}，${date}，${hours} 学时，${category}${project ? `，${project}` : ''}`,
  } as const,
  /** What the 政策 column may hold: "来宾市、柳州市，或 laibin、liuzhou" (region names, then ids). */
  policyChoices: (names: readonly string[], ids: readonly string[]) =>
    names.length > 0 ? `${names.join('、')}，或 ${ids.join('、')}` : ids.join('、'),
  /** "第 3 行【学时】：必须大于 0" — the line an officer reads. */
  rowLine: (row: number, column: string | null, reason: string) =>
    `第 ${row} 行${column !== null ? `【${column}】` : ''}：${reason}`,
  header: {
    empty: (want: string) => `文件是空的：第 1 行应为表头「${want}」`,
    tooWide: (columns: number, max: number, want: string) => `表头有 ${columns} 列，超过上限 ${max} 列：请只保留这些列：「${want}」`,
    garbled: (want: string) => `表头无法识别（像是乱码），文件的编码可能不对。${ENCODING_HINT}应为：「${want}」`,
    oneColumn: (cell: string, want: string) => `表头只有一列「${cell}」：列之间应用英文逗号分隔。应为：「${want}」`,
    blankCell: (column: number, want: string) => `第 ${column} 列表头为空（只允许这些列：${want}）`,
    missing: (column: string) => `缺少列「${column}」`,
    extra: (column: string, want: string, garbled: boolean) =>
      `多余的列「${column}」（只允许这些列：${want}）${garbled ? `；${ENCODING_HINT}` : ''}`,
    repeated: (column: string, count: number) => `列「${column}」出现了 ${count} 次`,
  },
  file: {
    notFound: (name: string) => `找不到文件：${name}`,
    isDirectory: (name: string) => `${name} 是一个目录，不是文件`,
    noPermission: (name: string) => `没有权限读取文件：${name}`,
    lineTooLong: (line: number | string, maxKb: number) =>
      `第 ${line} 行太长，超过单行上限 ${maxKb} KB：文件可能不是表格，或某处引号没有成对。`,
    csvBroken: (line: number | undefined, message: string) =>
      `CSV 格式错误${line ? `（第 ${line} 行附近）` : ''}：${message}。请检查引号是否成对。`,
    unreadable: (name: string, message: string) => `无法读取 ${name}：${message}`,
    oldXls: (name: string) => `不支持旧版 Excel（.xls）文件 ${name}：请在 Excel 中“另存为” .xlsx 或 “CSV UTF-8（逗号分隔）”。`,
  },
  xlsx: {
    unreadable: (name: string, message: string) => `无法读取 XLSX 文件 ${name}：${message}。${NOT_XLSX}`,
    /** "文件 名册.xlsx 解压后超过 50 MB，已拒绝导入…": `why` is one of the reasons below. */
    refused: (name: string, why: string) =>
      `文件 ${name} ${why}，已拒绝导入：这不像正常的 Excel 表格（可能是“压缩炸弹”）。请确认文件无误，或另存为 CSV 后导入。`,
    mb: (mib: number) => `${mib} MB`,
    entryTooBig: (entry: string, size: string, max: string) => `中的 ${entry} 解压后有 ${size}（上限 ${max}）`,
    totalTooBig: (max: string) => `解压后超过 ${max}`,
    ratioTooHigh: (entry: string, ratio: number | string, max: number) => `中的 ${entry} 压缩了 ${ratio} 倍（正常表格不超过 ${max} 倍）`,
    textTooBig: (size: string, max: string) => `的文字内容解压后有 ${size}（上限 ${max}）`,
    tooManyTexts: (declared: number, max: number) => `声明了 ${declared} 个不同的文字（上限 ${max} 个）`,
  },
  reader: {
    crashed: (code: number) => `CSV 读取线程异常退出（${code}）`,
    outOfMemory: (mb: number) =>
      `读取文件时超出内存上限（${mb} MB），已停止，未导入任何数据：文件解压后过大，不像正常的表格。请确认文件无误，或拆分后分别导入。`,
  },
};
