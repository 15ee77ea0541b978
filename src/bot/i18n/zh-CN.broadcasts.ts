import { ROLE_LABELS } from './zh-CN.roles.js';
/** Officer broadcasts: preview, confirmation, progress and the delivery report. */
const names = (items: readonly string[], max = 10) => (items.length > max ? `${items.slice(0, max).join('、')} 等` : items.join('、'));

/** A failure reason for people: the worker's "outcome unknown twice" in Chinese, other platform errors as they are. */
const reasonText = (reason: string) =>
  reason.startsWith('outcome unknown twice') ? `发送两次均超时或连接中断，结果未知（可能已收到），为免重复不再发送（${reason.replace(/^[^:]*: /, '')}）` : reason;

export const broadcastsText = {
  help: {
    publish: { summary: '向全部 / 指定学校 / 指定角色发布通知，先预览再确认（培训管理员）', usage: '发布通知 <全部|学校:一中,二中|角色:学校负责人,班主任,校长> <正文>' },
    confirm: { summary: '确认发送预览过的通知（培训管理员）', usage: '确认发布 <编号>' },
    cancel: { summary: '取消尚未发送的通知（培训管理员）', usage: '取消发布 <编号>' },
    progress: { summary: '查看通知发送进度与送达报告（培训管理员）', usage: '通知进度 <编号>' },
  },
  publish: {
    missingAudience: '缺少发送对象：全部、学校:一中,二中 或 角色:学校负责人,班主任,校长',
    emptyList: (what: 'schools' | 'roles') => (what === 'schools' ? '「学校:」后面没有学校名称' : '「角色:」后面没有角色'),
    unknownRoles: (roles: string[]) => `不认识的角色：${roles.join('、')}。可选角色：学校负责人、班主任、校长。`,
    emptyText: '通知正文不能为空',
    tooLong: (length: number, max: number) => `通知正文有 ${length} 字，超过上限 ${max} 字。请精简后再发，或分成几条通知。`,
    unknownSchools: (unknown: string[], known: string[]) =>
      `名册中没有这些学校：${unknown.join('、')}。${known.length ? `可选学校：${names(known)}` : '名册中还没有学校。'}`,
  },
  audience: {
    all: '全部教师',
    schools: (schools: string[]) => `学校：${names(schools, 20)}`,
    roles: (roles: string[]) => `角色：${roles.join('、')}`,
    roleNames: ROLE_LABELS,
  },
  preview: {
    title: (id: number) => `通知预览 #${id}（尚未发送）`,
    audienceHeading: '发送对象',
    bodyHeading: '正文',
    counts: (total: number, bound: number, unbound: number) => `共 ${total} 人，可送达 ${bound} 人，未绑定账号 ${unbound} 人（收不到）`,
    text: (id: number, audience: string, total: number, bound: number, unbound: number, excerpt: string) =>
      [
        `通知预览 #${id}（尚未发送）`,
        `对象：${audience}`,
        `共 ${total} 人，可送达 ${bound} 人，未绑定账号 ${unbound} 人（收不到）。`,
        `正文：`,
        excerpt,
        `确认无误请发送「确认发布 ${id}」；放弃请发送「取消发布 ${id}」。`,
      ].join('\n'),
    confirmButton: '确认发布',
    cancelButton: '取消',
    note: (id: number) => `也可以发送「确认发布 ${id}」。确认后开始发送，无法撤回；预览 24 小时内有效。`,
  },
  confirm: {
    nothingToConfirm: '没有待确认的通知。请先用「发布通知」预览。',
    badId: (v: string) => `「${v}」不是通知编号`,
    notFound: (id: number) => `没有编号为 ${id} 的通知。`,
    notOwner: (id: number) => `通知 #${id} 不是您发起的，只能由发起人确认或取消。`,
    started: (id: number, total: number, bound: number, unbound: number) =>
      [
        `通知 #${id} 开始发送：共 ${total} 人，可送达 ${bound} 人，未绑定账号 ${unbound} 人。`,
        `发送「通知进度 ${id}」查看进度；全部发完后会把送达报告发给您。`,
      ].join('\n'),
    alreadySending: (id: number) => `通知 #${id} 已经确认过，正在发送或已发送，不会重复发送。发送「通知进度 ${id}」查看进度。`,
    cancelled: (id: number) => `通知 #${id} 已取消，不能再发送。如需发送请重新「发布通知」。`,
    expired: (id: number) => `通知 #${id} 的预览已超过 24 小时，名册可能有变化，请重新「发布通知」预览。`,
  },
  cancel: {
    nothing: '没有待确认的通知。',
    cancelled: (id: number) => `已取消通知 #${id}，不会发送。`,
    notFound: (id: number) => `没有编号为 ${id} 的通知。`,
    notOwner: (id: number) => `通知 #${id} 不是您发起的，只能由发起人确认或取消。`,
    alreadySending: (id: number) => `通知 #${id} 已开始发送，无法撤回。`,
    alreadyCancelled: (id: number) => `通知 #${id} 已经取消过了。`,
  },
  progress: {
    none: '您还没有发布过通知。',
    notConfirmed: (id: number) => `通知 #${id} 尚未确认，还没有发送。发送「确认发布 ${id}」开始发送。`,
    cancelled: (id: number) => `通知 #${id} 已取消，没有发送。`,
    cardTitle: (id: number, done: boolean) => (done ? `通知 #${id} 送达报告` : `通知 #${id} 发送中`),
    header: (id: number, excerpt: string, done: boolean) => `${done ? '送达报告' : '发送进度'} · 通知 #${id}「${excerpt}」`,
    sent: (n: number, total: number) => `已发送 ${n}/${total}`,
    delivered: (n: number) => `· 已送达 ${n} 人`,
    failed: (n: number) => `· 发送失败 ${n} 人${n > 0 ? '：' : ''}`,
    reason: (reason: string) => reasonText(reason) || '原因未知',
    failureLine: (reason: string, count: number) => `  - ${count} 人：${reasonText(reason) || '原因未知'}`,
    moreFailures: (n: number) => `  - 另有 ${n} 种原因`,
    maybeDuplicate: (n: number) => `· 可能重复 ${n} 人（钉钉发送超时后重发过一次，对方可能收到两条）`,
    unbound: (n: number) => `· 未绑定账号 ${n} 人（收不到）`,
    pending: (n: number) => `· 待发送 ${n} 人`,
    refresh: '刷新进度',
  },
  message: {
    title: '通知',
    text: (text: string, sender: string, date: string) => `【通知】\n${text}\n——${sender}，${date}`,
    note: (sender: string, date: string) => `${sender} 发布于 ${date}`,
  },
};

export type BroadcastsText = typeof broadcastsText;
