/** Deadlines, filing reminders, escalations and the monthly hours reminder: every sentence people read. */
const h = (n: number) => `${Math.round(n * 10) / 10}`;
const list = (items: readonly string[], max = 30) =>
  items.length > max ? `${items.slice(0, max).join('、')} 等 ${items.length} 所` : items.join('、');

export const deadlinesText = {
  help: {
    create: {
      summary: '新建报送截止事项并自动提醒学校负责人（培训管理员）',
      usage: '新建截止 <标题> <日期> [时间] [学校:一中,二中|全部] [提前:30,7,3,1,0]',
    },
    filed: { summary: '告知本校某事项已报送，停止提醒（学校负责人）', usage: '已报送 <事项编号或标题>' },
    todo: { summary: '查看本校尚未报送的事项及截止日期（学校负责人）', usage: '待办' },
    status: { summary: '查看某事项各校报送情况（培训管理员）', usage: '报送情况 <事项编号或标题>' },
    unsubscribe: { summary: '不再接收每月学时进度提醒', usage: '退订提醒' },
    subscribe: { summary: '重新接收每月学时进度提醒', usage: '订阅提醒' },
  },
  daysLeft: (days: number) => (days > 0 ? `还有 ${days} 天` : days === 0 ? '今天截止' : `已逾期 ${-days} 天`),
  audienceAll: (n: number) => `全部学校（${n} 所）`,
  audienceSchools: (schools: readonly string[]) => schools.join('、'),
  create: {
    problems: {
      missingDate: '缺少截止日期',
      badDate: (v: string, reason?: string) => `截止日期「${v}」不对${reason ? `：${reason}` : ''}`,
      badTime: (v: string) => `时间「${v}」不对，请写成 17:00 或 下午5点`,
      emptyTitle: '缺少事项标题（写在日期前面）',
      titleTooLong: (max: number) => `标题太长，请控制在 ${max} 字以内`,
      badOffsets: (v: string) => `提前天数「${v}」有误，请写成用逗号分隔的天数，例如 提前:30,7,3,1,0`,
      emptySchools: '「学校:」后面没有学校名称',
      unknownWord: (v: string) => `无法识别「${v}」。学校请写成 学校:一中,二中，提前天数请写成 提前:30,7,3,1,0`,
    },
    /** "看懂了：标题「年度计划」、日期 2027年5月31日（周一）" — what a refused line was read as. */
    understood: (parts: { title?: string; date?: string; time?: string | null; schools?: string[]; offsets?: number[] | null }) => {
      const said = [
        ...(parts.title ? [`标题「${parts.title}」`] : []),
        ...(parts.date ? [`日期 ${parts.date}`] : []),
        ...(parts.time ? [`时间 ${parts.time}`] : []),
        ...(parts.schools ? [`学校 ${parts.schools.join('、')}`] : []),
        ...(parts.offsets ? [`提前 ${parts.offsets.join(',')} 天`] : []),
      ];
      return said.length ? `看懂了：${said.join('、')}` : '';
    },
    /** A correct line, with a date still ahead. */
    example: (date: string) => `例如：新建截止 年度培训计划 ${date} 17:00（日期也可写 5月31日、明天、下周五、月底；时间也可写 下午5点）`,
    past: (due: string) => `截止时间 ${due} 已经过去，不能新建。请检查日期。`,
    unknownSchools: (unknown: string[], known: string[]) =>
      `名册中没有这些学校：${unknown.join('、')}。${known.length ? `可选学校：${list(known, 10)}` : '名册中还没有学校。'}`,
    noSchools: '名册中还没有任何学校，请先导入名册。',
    created: (id: number, title: string, due: string, schools: string, offsets: number[], every: number, rounds: number) =>
      [
        `已新建截止事项 #${id}：${title}`,
        `截止：${due}`,
        `报送学校：${schools}`,
        `提醒学校负责人：${offsets.map((d) => (d === 0 ? '当天' : `提前 ${d} 天`)).join('、')}；逾期后每 ${every} 天提醒一次（最多 ${rounds} 次），并把未报送学校名单发给培训管理员。`,
        `发送「报送情况 ${id}」查看各校报送情况。`,
      ].join('\n'),
  },
  /** The console's new-deadline form: the fields take the same date and time forms as the chat. */
  form: {
    datePlaceholder: (example: string) => `例如 ${example}`,
    dateHint: '也可写 5月31日、5/31、明天、下周五、月底',
    timePlaceholder: '例如 17:00 或 下午5点',
  },
  match: {
    notFound: (q: string) => `没有找到事项「${q}」。发送「待办」查看未报送的事项。`,
    ambiguous: (q: string) => `「${q}」对应多个事项，请用编号指定：`,
    choice: (id: number, title: string, due: string) => `· #${id} ${title}（截止 ${due}）`,
  },
  filed: {
    ok: (id: number, title: string, school: string) => `已记录：${school} 已报送「${title}」（#${id}），本校不会再收到该事项的提醒。`,
    already: (title: string, school: string, when: string) => `${school} 已于 ${when} 报送「${title}」，无需重复操作。`,
    notYourSchool: (school: string, mine: string) => `只能为本校（${mine}）报送，不能替 ${school} 报送。`,
    notAddressed: (title: string, school: string) => `「${title}」不需要 ${school} 报送。`,
    nothingOpen: '本校目前没有待报送的事项。',
    whichOne: (lines: string[]) => ['请指定要报送的事项，例如「已报送 #编号」：', ...lines].join('\n'),
  },
  todo: {
    none: (school: string) => `${school} 目前没有待报送的事项。`,
    header: (school: string, n: number) => `${school} 待报送事项（${n} 项）`,
    line: (id: number, title: string, due: string, when: string) => `· #${id} ${title} — 截止 ${due}（${when}）`,
    footer: '报送后请回复「已报送 编号」，本校将不再收到该事项的提醒。',
    button: (id: number) => `#${id} 已报送`,
  },
  status: {
    header: (id: number, title: string, due: string, when: string, filed: number, total: number) =>
      `事项 #${id}：${title}\n截止 ${due}（${when}）· 已报送 ${filed}/${total} 所`,
    filedHeader: '已报送：',
    filedLine: (school: string, when: string) => `· ${school}（${when}）`,
    unfiledHeader: '未报送：',
    unfiledList: (schools: string[]) => list(schools, 100),
    unreachable: (school: string) => `${school}（无已绑定的负责人，收不到提醒）`,
    allFiled: '全部学校均已报送。',
  },
  overview: {
    none: '目前没有进行中的截止事项。发送「新建截止」添加。',
    header: (n: number) => `进行中的截止事项（${n} 项）：`,
    line: (id: number, title: string, due: string, when: string, filed: number, total: number) =>
      `· #${id} ${title} — 截止 ${due}（${when}）· 已报送 ${filed}/${total}`,
  },
  reminder: {
    title: (when: string) => `报送提醒 · ${when}`,
    lines: (id: number, title: string, school: string, due: string, when: string, recipient: string | null) => [
      `事项：${title}（#${id}）`,
      `学校：${school}`,
      `截止：${due}（${when}）`,
      ...(recipient ? [`报送至：${recipient}`] : []),
    ],
    text: (id: number, title: string, school: string, due: string, when: string, recipient: string | null) =>
      [
        `【报送提醒】${title}`,
        `学校：${school}；截止：${due}（${when}）${recipient ? `；报送至：${recipient}` : ''}`,
        `报送后请回复「已报送 #${id}」，本校将不再收到该事项的提醒。`,
      ].join('\n'),
    button: '本校已报送',
    note: '报送后点击按钮或回复「已报送 编号」，本校将不再收到该事项的提醒。',
  },
  escalation: {
    title: (n: number) => `逾期未报送 · ${n} 所学校`,
    lines: (id: number, title: string, due: string, overdueDays: number, unfiled: string[], unreachable: Set<string>, total: number) => [
      `事项 #${id}：${title}`,
      `已于 ${due} 截止（逾期 ${overdueDays} 天），${unfiled.length}/${total} 所学校尚未报送：`,
      list(unfiled.map((s) => (unreachable.has(s) ? `${s}（无已绑定负责人）` : s)), 100),
      `发送「报送情况 ${id}」查看详情。`,
    ],
    button: '查看报送情况',
  },
  pace: {
    monthlyIntro: (name: string) => `${name}老师，您好。这是本月学时进度提醒：`,
    lastCallIntro: (name: string, year: string) => `${name}老师，您好。${year} 年的年度学时要求将于 12 月 31 日截止，请抓紧完成：`,
    cycle: (start: string, end: string, required: number, earned: number, remaining: number) =>
      `本周期（${start} 至 ${end}）应修 ${h(required)} 学时，已修 ${h(earned)} 学时，还差 ${h(remaining)} 学时。`,
    pace: (expected: number, earned: number) =>
      `按进度此时应完成 ${h(expected)} 学时，目前已完成 ${h(earned)} 学时，落后 ${h(expected - earned)} 学时。`,
    owedHeader: '还需完成：',
    owedLine: (label: string, owed: number, due: string) => `· ${label} ${h(owed)} 学时（${due} 前）`,
    footer: '发送「学时」查看详情；发送「退订提醒」不再接收每月提醒。',
  },
  prefs: {
    off: '已退订每月学时提醒。需要时发送「订阅提醒」即可恢复。',
    alreadyOff: '您已退订每月学时提醒。需要时发送「订阅提醒」即可恢复。',
    on: '已开启每月学时提醒：每月 1 日上午，如您的学时进度落后，会收到一条提醒。',
    alreadyOn: '您已开启每月学时提醒，无需重复订阅。',
  },
};

export type DeadlinesText = typeof deadlinesText;
