/**
 * Training sessions and sign-in (签到): every sentence a teacher, an officer or the projector shows.
 * Times arrive pre-formatted in Beijing time (the handler knows the time zone); numbers are exact.
 */
const h = (n: number) => `${Math.round(n * 10) / 10}`;
const pct = (n: number, d: number) => (d === 0 ? '0%' : `${Math.round((n / d) * 1000) / 10}%`);
/** The command a teacher sends to sign in or out. */
const verb = (action: 'in' | 'out') => (action === 'in' ? '签到' : '签退');
const names = (list: string[], max = 10) => (list.length <= max ? list.join('、') : `${list.slice(0, max).join('、')} 等 ${list.length} 人`);

import { ROLE_LABELS as ROLE_NAMES } from './zh-CN.roles.js';

export const sessionsText = {
  commands: {
    create: {
      summary: '新建培训签到（培训管理员）',
      usage: '新建培训 <标题> <类别> <学时> <日期> <签到时段> [签退 时段] [对象 全部|学校:一中,二中|角色:班主任] [方式 动态码|固定码:123456|按钮] [讲师:姓名] [项目:名称]',
    },
    signIn: { summary: '培训签到：发送会场投影上的签到码', usage: '签到 <签到码>' },
    signOut: { summary: '培训签退（需要签退的培训）', usage: '签退 <签到码>' },
    status: { summary: '查看某场培训的签到情况（培训管理员）', usage: '签到情况 <培训编号>' },
    mine: { summary: '查看自己今天的签到、签退情况（只查看，不会签到）', usage: '我签到了吗' },
    remind: { summary: '提醒未签到的教师（培训管理员）', usage: '提醒未签到 <培训编号>' },
    cancelCredit: { summary: '取消某位教师本场培训的学时（培训管理员）', usage: '取消学时 <培训编号> <工号> <原因>' },
    close: { summary: '提前结束某场培训的签到（培训管理员）', usage: '结束培训 <培训编号>' },
    cancel: { summary: '取消整场培训并通知参训教师（培训管理员）', usage: '取消培训 <培训编号> <原因>' },
  },

  /** What 取消学时, 结束培训 and 取消培训 say when an argument is missing or short. */
  args: {
    session: '缺少培训编号',
    employeeNo: '缺少工号',
    reason: '请写明取消原因',
    reasonTooShort: '请写明取消原因（至少 2 个字）',
  },

  /** `date` is an example date still ahead (src/time/parse.ts exampleDate). */
  createExample: (date: string) =>
    `例如：新建培训 师德专题讲座 师德师风 3 ${date} 08:30-09:15 签退 11:30-12:00 对象 学校:一中,二中 方式 动态码 讲师:李明 项目:国培2026（讲师、项目用于评价结果的汇总，可不写；日期也可写 12月1日、明天、下周五；时段也可写 下午2点-4点）`,

  /** "看懂了：标题「…」、类别 …、3 学时、日期 …" — what a refused 新建培训 line was read as. */
  understood: (parts: { title?: string; category?: string; hours?: number; date?: string; checkin?: string }) => {
    const said = [
      ...(parts.title ? [`标题「${parts.title}」`] : []),
      ...(parts.category ? [`类别 ${parts.category}`] : []),
      ...(parts.hours !== undefined ? [`${h(parts.hours)} 学时`] : []),
      ...(parts.date ? [`日期 ${parts.date}`] : []),
      ...(parts.checkin ? [`签到 ${parts.checkin}`] : []),
    ];
    return said.length ? `看懂了：${said.join('、')}` : '';
  },

  /**
   * Why a 新建培训 draft was refused, one sentence per problem kind (src/sessions/service.ts DraftProblem;
   * src/sessions/replies.ts problemText picks the sentence and checks every kind has one). `example` is a date
   * still ahead, for the sentences that show one.
   */
  problems: {
    title_missing: () => '缺少培训标题',
    title_too_long: () => '标题太长（最多 100 字）',
    category_missing: (p: { choices: string[] }) => `缺少学时类别（可选：${p.choices.join('、')}）`,
    category_unknown: (p: { raw: string; choices: string[] }) => `没有「${p.raw}」这个学时类别（可选：${p.choices.join('、')}）`,
    category_not_in_preset: (p: { category: string; presetName: string }) =>
      `「${p.category}」不是${p.presetName}的学时类别，部分参训教师无法计入`,
    hours_missing: () => '缺少学时数，例如 3',
    hours_invalid: (p: { raw: string }) => `学时数「${p.raw}」不对：应大于 0、不超过 24`,
    date_missing: (_p: unknown, example = '明天') => `缺少日期，例如 ${example}、12月1日 或 明天`,
    date_invalid: (p: { raw: string; reason?: string }, example = '明天') =>
      `日期「${p.raw}」不对${p.reason ? `：${p.reason}` : ''}，例如 ${example}、12月1日 或 明天`,
    window_missing: () => '缺少签到时段，例如 08:30-09:15 或 下午2点-2点半',
    time_invalid: (p: { raw: string }) => `时段「${p.raw}」不对，例如 08:30-09:15 或 下午2点-2点半`,
    window_order: (p: { phase: 'checkin' | 'checkout' }) => `${p.phase === 'checkin' ? '签到' : '签退'}时段的结束早于开始`,
    checkout_before_checkin: () => '签退时段早于签到时段',
    already_over: () => '这个时段已经过去了，请检查日期和时间',
    static_code_invalid: (p: { raw: string }) => `固定签到码「${p.raw}」不对：应为 4–8 位数字`,
    audience_invalid: (p: { raw: string }) => `参训对象「${p.raw}」看不懂，例如：全部、学校:一中,二中、角色:班主任`,
    audience_empty: () => '名册中没有符合参训对象的教师，请检查学校名或角色',
    mode_invalid: (p: { raw: string }) => `签到方式「${p.raw}」看不懂，可选：动态码、固定码:123456、按钮`,
  },

  audience(a: { all: true } | { schools: string[] } | { roles: string[] }): string {
    if ('all' in a) return '全部教师';
    if ('schools' in a) return `学校：${a.schools.join('、')}`;
    return `角色：${a.roles.map((r) => ROLE_NAMES[r] ?? r).join('、')}`;
  },

  created: (p: {
    id: number;
    title: string;
    category: string;
    hours: number;
    date: string;
    checkin: string;
    checkout: string | null;
    audience: string;
    expected: number;
    mode: 'rotating' | 'static' | 'button';
    staticCode: string | null;
    projectorPath: string | null;
    cards: { queued: number; unbound: number } | null;
    trainer?: string | null;
    project?: string | null;
  }) =>
    [
      `已创建培训 #${p.id}「${p.title}」`,
      `· ${p.category} ${h(p.hours)} 学时，${p.date}`,
      `· 签到 ${p.checkin}${p.checkout ? `，签退 ${p.checkout}（签退后计入学时）` : '（签到即计入学时）'}`,
      `· 对象：${p.audience}，共 ${p.expected} 人`,
      ...(p.trainer || p.project ? [`· ${[p.trainer && `讲师：${p.trainer}`, p.project && `项目：${p.project}`].filter(Boolean).join('，')}`] : []),
      p.mode === 'rotating'
        ? '· 方式：动态签到码，每 30 秒更换，请在会场投影下方链接'
        : p.mode === 'static'
          ? `· 方式：固定签到码 ${p.staticCode}`
          : `· 方式：按钮签到，已向 ${p.cards?.queued ?? 0} 位教师发送签到卡片${p.cards?.unbound ? `，${p.cards.unbound} 位未绑定账号收不到` : ''}`,
      ...(p.projectorPath ? [`投影页面（含密钥，请勿外传）：${p.projectorPath}`] : []),
      `查看签到情况：签到情况 ${p.id}`,
    ].join('\n'),

  sessionNotFound: (ref: string) => (ref ? `没有编号为 ${ref} 的培训。发送「签到情况」可查看今天最近的一场。` : '还没有任何培训。'),

  signIn: {
    signedIn: (title: string, at: string, category: string, hours: number) =>
      `签到成功：「${title}」，${at}。已计入${category} ${h(hours)} 学时，发送「学时」可查看。`,
    signedInNeedsCheckout: (title: string, at: string, checkout: string, hours: number, button: boolean) =>
      `签到成功：「${title}」，${at}。请在 ${checkout} 签退（${button ? '发送「签退」或点击卡片上的签退按钮' : '发送「签退 签到码」'}），签退后计入 ${h(hours)} 学时。`,
    signedOut: (title: string, at: string, category: string, hours: number) =>
      `签退成功：「${title}」，${at}。已计入${category} ${h(hours)} 学时，发送「学时」可查看。`,
    alreadyIn: (title: string, at: string) => `已签到：您已于 ${at} 签到「${title}」，无需重复签到。`,
    alreadyOut: (title: string, at: string) => `已签退：您已于 ${at} 签退「${title}」，无需重复签退。`,
    notSignedIn: (title: string) => `您还没有签到「${title}」，不能签退。如有疑问请联系培训管理员。`,
    noCheckout: (title: string) => `「${title}」不需要签退，签到时学时已计入。`,
    tooEarly: (title: string, phase: 'checkin' | 'checkout', at: string) =>
      `「${title}」${phase === 'checkin' ? '签到' : '签退'}还没开始，将于 ${at}（北京时间）开始，请届时再发送。`,
    tooLate: (title: string, phase: 'checkin' | 'checkout', at: string) =>
      phase === 'checkin'
        ? `「${title}」签到已于 ${at} 截止，未能签到。如有疑问请联系培训管理员。`
        : `「${title}」签退已于 ${at} 截止，本场学时未能计入。如有疑问请联系培训管理员。`,
    cancelled: (title: string) => `「${title}」已取消，无需签到。`,
    closed: (title: string) => `「${title}」的签到已结束。如有疑问请联系培训管理员。`,
    notInAudience: (title: string) => `您不在「${title}」的签到名单内，无法签到。如有疑问请联系培训管理员。`,
    otherSession: (other: string, mine: string) =>
      `这是另一场培训「${other}」的签到码，您不在其名单内。您参加的「${mine}」请使用本场会场投影上的签到码。`,
    expired: '签到码已过期（每 30 秒更换一次）。请发送投影上当前显示的签到码。',
    wrong: '签到码不正确，请核对会场投影或培训通知上的签到码后重试。',
    codeRequired: (title: string, action: 'in' | 'out') => `「${title}」需要签到码：请发送「${verb(action)} 签到码」，签到码见会场投影。`,
    unknownSession: '没有找到这场培训。请使用培训通知卡片上的签到按钮，或发送「签到 签到码」。',
    needCode: (title: string | null, action: 'in' | 'out') =>
      title
        ? `请发送「${verb(action)} 签到码」，例如：${verb(action)} 123456。签到码见「${title}」会场投影。`
        : `请发送「${verb(action)} 签到码」，例如：${verb(action)} 123456。签到码见会场投影或培训通知。`,
    locked: (until: string, justNow: boolean) =>
      justNow
        ? `签到码已连续输错 5 次。为防止猜码，请在 ${until} 之后再试。`
        : `签到码输错次数过多，请在 ${until} 之后再试。`,
  },

  /** 「我签到了吗」: the caller's own sessions today. Each state sentence follows 「已签到：08:32」 where it starts with ；. */
  mine: {
    title: '您今天的培训签到：',
    none: '今天没有需要您签到的培训。收到培训通知后，可再发送「我签到了吗」查看。',
    header: (title: string, otherDate: string | null, checkin: string, checkout: string | null) =>
      `「${title}」${otherDate ? `${otherDate} ` : ''}签到 ${checkin}${checkout ? `，签退 ${checkout}` : ''}（北京时间）`,
    signedIn: (at: string) => `已签到：${at}`,
    credited: (category: string, hours: number) => `，已计入${category} ${h(hours)} 学时。`,
    signedOut: (at: string, category: string, hours: number) => `；已签退：${at}，已计入${category} ${h(hours)} 学时。`,
    checkoutLater: (opensAt: string, hours: number, button: boolean) =>
      `；还需签退：签退将于 ${opensAt} 开始，届时${button ? '发送「签退」或点击卡片上的签退按钮' : '发送「签退 签到码」'}，签退后计入 ${h(hours)} 学时。`,
    checkoutNow: (until: string, hours: number, button: boolean) =>
      `；还没签退：请在 ${until} 前${button ? '发送「签退」或点击卡片上的签退按钮' : '发送「签退 签到码」（签到码见会场投影）'}，签退后计入 ${h(hours)} 学时。`,
    checkoutMissed: (closedAt: string) => `；未签退（签退已于 ${closedAt} 截止），本场学时未计入。如有疑问请联系培训管理员。`,
    checkoutMissedClosed: (cancelled: boolean) => `；未签退（${cancelled ? '培训已取消' : '签到已结束'}），本场学时未计入。`,
    creditCancelled: (reason: string | null) => `；本场学时已被培训管理员取消${reason ? `（原因：${reason}）` : ''}。`,
    notYetOpen: (opensAt: string, button: boolean) =>
      `还没签到：签到将于 ${opensAt} 开始，届时${button ? '点击签到卡片上的「签到」按钮或发送「签到」' : '发送「签到 签到码」（签到码见会场投影）'}。`,
    signInNow: (until: string, button: boolean) =>
      `还没签到：请在 ${until} 前${button ? '点击签到卡片上的「签到」按钮或发送「签到」' : '发送「签到 签到码」（签到码见会场投影）'}。`,
    missed: (closedAt: string) => `未签到（签到已于 ${closedAt} 截止）。如有疑问请联系培训管理员。`,
    notSignedInClosed: '未签到（本场签到已结束）。如有疑问请联系培训管理员。',
    cancelled: '本场培训已取消，无需签到。',
  },

  card: {
    title: (title: string) => `培训签到：${title}`,
    when: (date: string, checkin: string) => `签到时间：${date} ${checkin}（北京时间）`,
    checkout: (checkout: string) => `签退时间：${checkout}，签退后计入学时`,
    credit: (category: string, hours: number) => `学时：${category} ${h(hours)} 学时`,
    signIn: '签到',
    signOut: '签退',
    note: '点击即以本人身份签到，请勿转发。',
    text: (title: string, date: string, checkin: string) =>
      `「${title}」签到：${date} ${checkin}（北京时间）。请点击卡片上的「签到」按钮，或发送「签到」。`,
  },

  status: {
    header: (id: number, title: string, asOf: string) => `「${title}」#${id} 签到情况（截至 ${asOf}）`,
    totals: (expected: number, signedIn: number, absent: number) =>
      `应到 ${expected} 人，已签到 ${signedIn} 人，未签到 ${absent} 人，签到率 ${pct(expected - absent, expected)}。`,
    checkout: (signedOut: number, signedIn: number) => `已签退 ${signedOut} 人（已签到未签退 ${signedIn - signedOut} 人）。`,
    outside: (n: number) => `另有 ${n} 人已签到但已不在当前参训名单内（名册有变动）。`,
    bySchool: '按学校：',
    school: (school: string, expected: number, signedIn: number, absentNames: string[]) =>
      `· ${school}：应到 ${expected}，已签到 ${signedIn}，未签到 ${absentNames.length}${absentNames.length ? `（${names(absentNames)}）` : ''}`,
    state: (status: 'open' | 'closed' | 'cancelled') => (status === 'cancelled' ? '本场培训已取消。' : status === 'closed' ? '本场签到已结束。' : ''),
  },

  remind: {
    message: (name: string, title: string, date: string, checkin: string) =>
      `【签到提醒】${name}老师，「${title}」签到时间为 ${date} ${checkin}（北京时间），您还没有签到。请在会场发送「签到 签到码」（签到码见投影）。`,
    messageButton: (name: string, title: string, date: string, checkin: string) =>
      `【签到提醒】${name}老师，「${title}」签到时间为 ${date} ${checkin}（北京时间），您还没有签到。请点击卡片上的「签到」按钮。`,
    done: (absent: number, queued: number, already: number, unboundNames: string[]) =>
      [
        `未签到 ${absent} 人：已提醒 ${queued} 人${already ? `，${already} 人本轮（10 分钟内）已提醒过、未重复发送` : ''}。`,
        ...(unboundNames.length ? [`${unboundNames.length} 人未绑定账号，无法提醒：${names(unboundNames)}。`] : []),
      ].join('\n'),
    nobody: (title: string) => `「${title}」应到人员均已签到，无需提醒。`,
    over: (title: string, at: string) => `「${title}」签到已于 ${at} 截止，不再提醒。`,
    notOpen: (title: string, status: 'closed' | 'cancelled') => `「${title}」${status === 'cancelled' ? '已取消' : '签到已结束'}，不再提醒。`,
  },

  cancelCredit: {
    done: (name: string, no: string, title: string, hours: number, reason: string) =>
      `已取消 ${name}（${no}）在「${title}」的 ${h(hours)} 学时，原因：${reason}。记录保留，已写入审计日志。`,
    noRecord: (name: string, no: string, title: string) => `${name}（${no}）没有「${title}」的学时记录（未签到或未签退），无需取消。`,
    already: (name: string, title: string, at: string, reason: string | null) =>
      `${name} 在「${title}」的学时已于 ${at} 取消${reason ? `（原因：${reason}）` : ''}。`,
    teacherNotFound: (no: string) => `名册中没有工号 ${no}。`,
    reasonMissing: '请写明取消原因',
  },

  close: {
    done: (title: string, signedIn: number, expected: number) => `已结束「${title}」的签到：应到 ${expected} 人，已签到 ${signedIn} 人。`,
    already: (title: string) => `「${title}」的签到已经结束。`,
    cancelled: (title: string) => `「${title}」已取消。`,
  },

  cancel: {
    done: (title: string, notified: number, unboundNames: string[]) =>
      [
        `已取消「${title}」，签到和签退随即停止。`,
        notified ? `已通知 ${notified} 位参训教师。` : '',
        unboundNames.length ? `${unboundNames.length} 人未绑定账号，未能通知：${names(unboundNames)}。` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    over: (title: string) => `已取消「${title}」。培训时间已过，未再通知参训教师。`,
    creditsKept: (credited: number) => `已有 ${credited} 人记了学时，这些学时仍然有效；如需撤销，请逐人发送「取消学时 <培训编号> <工号> <原因>」。`,
    noCheckout: (n: number) => `${n} 人已签到但未签退，按规定不计学时。`,
    already: (title: string) => `「${title}」此前已经取消。`,
    notice: (name: string, title: string, when: string, reason: string) =>
      `【培训取消】${name}老师，原定 ${when}（北京时间）的「${title}」已取消。原因：${reason}。无需签到。`,
  },

  projector: {
    pageTitle: (title: string) => `签到 · ${title}`,
    codeLabel: '签到码',
    instruction: (verb: '签到' | '签退', code: string) => `扫码，或向学时助手发送「${verb} ${code}」`,
    changesEvery: '签到码每 30 秒更换',
    count: (signedIn: number, expected: number) => `已签到 ${signedIn} / 应到 ${expected}`,
    countOut: (signedOut: number) => `已签退 ${signedOut}`,
    window: (checkin: string, checkout: string | null) => `签到 ${checkin}${checkout ? ` · 签退 ${checkout}` : ''}（北京时间）`,
    before: (at: string) => `签到将于 ${at} 开始`,
    between: (at: string) => `签到已截止，签退将于 ${at} 开始`,
    ended: '本场签到已结束',
    cancelled: '本场培训已取消',
    button: '本场为按钮签到：请点击飞书消息中的签到卡片，或向学时助手发送「签到」',
    forbiddenTitle: '链接无效',
    forbidden: '这个投影链接无效或已更换。请向培训管理员索取正确的链接。',
    notFoundTitle: '没有这场培训',
    notFound: '没有找到这场培训，请检查链接。',
  },

  cli: {
    usage: [
      '用法 usage:',
      '  session create --title <标题> --category <类别> --hours <学时> --date <日期> --checkin <HH:MM-HH:MM>',
      '                 [--checkout <HH:MM-HH:MM>] [--audience 全部|学校:一中,二中|角色:班主任] [--mode rotating|static|button]',
      '                 [--code <固定码>] [--by <创建人工号>] [--base-url <https://…>] [--trainer <授课教师>] [--project <培训项目>]',
      '  session list [--date <日期>] [--from <日期>] [--to <日期>] [--limit <n>]',
      '  （日期可写 YYYY-MM-DD、YYYY/M/D、YYYY年M月D日、M月D日、明天、下周五、月底；时段可写 下午2点-4点）',
      '  session show <编号> [--base-url <https://…>]',
      '  session attendance <编号> --format csv|xlsx --out <文件>',
      '  session close <编号>',
      '  session cancel <编号> --reason <原因>',
    ].join('\n'),
    created: (id: number) => `已创建培训 #${id}`,
    exported: (n: number, file: string) => `已导出 ${n} 行 → ${file}`,
    headers: ['工号', '姓名', '学校', '签到时间', '签退时间', '状态'],
    state: {
      absent: '未签到',
      signedIn: '已签到',
      awaitingCheckout: '已签到未签退',
      signedOut: '已签退',
      cancelled: (reason: string | null) => `学时已取消${reason ? `：${reason}` : ''}`,
      outside: '不在当前名单',
    },
    closed: (id: number) => `已结束培训 #${id} 的签到`,
    cancelled: (id: number) => `已取消培训 #${id}`,
    unchanged: (id: number, status: string) => `培训 #${id} 状态已是 ${status}，未改动`,
    notFound: (id: string) => `没有编号为 ${id} 的培训`,
    missing: (flag: string) => `缺少 --${flag}`,
    badFlag: (flag: string, value: string) => `--${flag} 的值「${value}」不对`,
    unknownSub: (sub: string) => `不认识的子命令 unknown subcommand: ${sub}`,
    listHeader: '编号  日期        签到         方式   状态    已签到/应到  标题',
  },
};

export type SessionsText = typeof sessionsText;
