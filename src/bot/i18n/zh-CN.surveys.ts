/**
 * 培训评估与需求调研 (issue 17): the evaluation after a session, needs surveys, and the officer's CLI for the
 * question templates. Imports nothing of src/surveys, so the feature may import it without a cycle.
 */
const RATING_LABELS = ['1 很不满意', '2 不满意', '3 一般', '4 满意', '5 很满意'] as const;

const kindWord = (kind: 'evaluation' | 'survey') => (kind === 'evaluation' ? '评价' : '问卷');
const startWord = (kind: 'evaluation' | 'survey') => (kind === 'evaluation' ? '评价' : '问卷');

export const surveysText = {
  /** The two commands that start answering (recognised input; the command files take their names from here). */
  names: { evaluate: '评价', survey: '问卷' },
  /** Words people type inside the step-by-step answers (recognised input). */
  words: { skip: ['跳过', '不填', '略过'], cancel: ['取消', '退出', '不答了'] },
  help: {
    evaluate: { summary: '匿名评价刚参加的培训（培训结束后签到过的老师会收到邀请）', usage: '评价 [序号]' },
    survey: { summary: '填写教师发展中心发来的需求调研问卷', usage: '问卷 [序号]' },
    mine: { summary: '查看待填写的评价和问卷', usage: '我的问卷' },
    answer: { summary: '回答评价或问卷的当前一题', usage: '（逐题回复数字或文字）' },
    form: { summary: '飞书卡片提交的评价或问卷', usage: '（由卡片提交）' },
  },
  example: { evaluate: '评价', survey: '问卷', mine: '我的问卷' },
  invite: {
    evaluationTitle: (title: string) => `请评价：${title}`,
    surveyTitle: (title: string) => `问卷：${title}`,
    evaluationIntro: (title: string, date: string, n: number) => `您参加了「${title}」（${date}）。请花 1 分钟评价这次培训，共 ${n} 题。`,
    surveyIntro: (title: string, n: number) => `教师发展中心请您填写需求调研问卷「${title}」，共 ${n} 题。`,
    anonymous: '匿名：答卷不记录您的姓名、账号和提交时间；一组答卷不足 5 份时只显示份数。',
    notAnonymous: '说明：这是需求调研，不是匿名评价。答卷会记录您的学校和职务（不记录姓名和账号），用于分学校、分职务统计。',
    howText: (kind: 'evaluation' | 'survey') => `回复「${startWord(kind)}」开始，逐题回复数字即可；选答题可回复「跳过」，中途可回复「取消」。`,
    howCard: (kind: 'evaluation' | 'survey') => `在下面选好后点「提交」；也可以回复「${startWord(kind)}」逐题作答。`,
    deadline: (date: string) => `${date} 前有效。`,
    submit: (kind: 'evaluation' | 'survey') => (kind === 'evaluation' ? '提交评价' : '提交问卷'),
    fieldLabel: (n: number, prompt: string, required: boolean) => `${n}. ${prompt}${required ? '' : '（选答）'}`,
    choose: '请选择',
    write: '请填写',
  },
  flow: {
    start: (kind: 'evaluation' | 'survey', title: string, n: number) =>
      kind === 'evaluation' ? `「${title}」培训评价（匿名），共 ${n} 题。` : `问卷「${title}」，共 ${n} 题（记录学校和职务，不记录姓名）。`,
    resumed: (title: string) => `继续填写「${title}」：`,
    question: (i: number, n: number, prompt: string, required: boolean) => `第 ${i}/${n} 题：${prompt}${required ? '' : '（选答）'}`,
    option: (n: number, label: string) => `  ${n}. ${label}`,
    ratingOption: (label: string) => `  ${label}`,
    replyNumber: (required: boolean) => `回复数字即可${required ? '' : '，或回复「跳过」'}；回复「取消」放弃。`,
    replyText: (required: boolean) => `请直接回复文字${required ? '' : '，或回复「跳过」'}；回复「取消」放弃。`,
    notUnderstood: '没看懂这个回答。',
    textTooLong: (max: number) => `请不要超过 ${max} 字。`,
    mustAnswer: '这一题必答。',
    cancelled: (kind: 'evaluation' | 'survey', date: string) => `已取消，本次回答没有保存。${date} 前仍可回复「${startWord(kind)}」重新作答。`,
    thanks: (kind: 'evaluation' | 'survey') =>
      kind === 'evaluation' ? '已提交，谢谢您的评价！答卷是匿名的，不记录您的姓名、账号和提交时间。' : '已提交，谢谢您参与调研！',
    thanksTitle: '已提交，谢谢！',
    already: (title: string) => `「${title}」您已经提交过了，谢谢！每人只能提交一次。`,
    closed: (title: string, date: string) => `「${title}」已于 ${date} 截止，不再收集。`,
    notInvited: '这份评价或问卷不是发给您的。培训评价只发给签到参加了这次培训的老师。',
    badTicket: (kind: 'evaluation' | 'survey') => `这张卡片已失效。请回复「${startWord(kind)}」逐题作答。`,
    formProblems: (problems: string[]) => ['还没有提交，请改正后再点提交：', ...problems.map((p) => `· ${p}`)].join('\n'),
    nonePending: (kind: 'evaluation' | 'survey') =>
      kind === 'evaluation' ? '您目前没有待评价的培训。培训结束后，签到过的老师会收到评价邀请。' : '您目前没有待填写的问卷。',
    noSuchNumber: (n: number, count: number) => `没有第 ${n} 份（待填写共 ${count} 份）。发送「我的问卷」查看。`,
    morePending: (count: number) => `另有 ${count} 份待填写，发送「我的问卷」查看。`,
    keptNote: (title: string) => `（「${title}」还没答完：回复当前一题的答案继续，或回复「取消」。）`,
  },
  mine: {
    none: '您目前没有待填写的评价或问卷。',
    heading: (n: number) => `待填写（${n} 份）：`,
    line: (kind: 'evaluation' | 'survey', i: number, title: string, date: string) => `· ${kindWord(kind)} ${i}：${title}（${date} 截止）`,
    how: '回复「评价」或「问卷」开始；有多份时可加序号，如「评价 2」。',
  },
  remind: {
    text: (kind: 'evaluation' | 'survey', title: string, date: string) =>
      kind === 'evaluation'
        ? `提醒：「${title}」的培训评价还没有填写，${date} 截止。回复「评价」即可（约 1 分钟，匿名）。只提醒这一次。`
        : `提醒：问卷「${title}」还没有填写，${date} 截止。回复「问卷」即可。只提醒这一次。`,
  },
  /** Added where a session is closed (chat, console, CLI). */
  close: {
    invited: (n: number) => `已向 ${n} 位签到的老师发出匿名评价邀请。`,
    noAttendees: '没有老师签到，不发评价。',
  },
  results: {
    sessionLabel: (id: number, title: string, date: string) => `#${id} ${title}（${date}）`,
    unnamed: '（未填写）',
  },
  send: {
    noQuestionnaire: (id: number) => `没有编号为 ${id} 的问卷`,
    titleMissing: '问卷标题不能为空',
    titleLong: (max: number) => `问卷标题不超过 ${max} 字`,
    closesPast: '截止时间须晚于现在',
    nobody: '发送对象中没有教师',
  },
  organiser: {
    text: (kind: 'evaluation' | 'survey', title: string, invited: number, answered: number, rate: number) =>
      `「${title}」的${kind === 'evaluation' ? '培训评价' : '问卷'}结果已出：发出 ${invited} 份，收回 ${answered} 份（回收率 ${rate}%）。`,
    mean: (mean: number) => `总体评价平均 ${mean} 分（满分 5 分）。`,
    tooFew: (min: number) => `收回不足 ${min} 份：为保护匿名，只显示份数。`,
    where: '详情请在管理后台查看。',
    toOffice: '（这场培训由命令行或后台令牌创建，没有记下创建人，所以发给每位培训管理员。命令行创建时可用 --by <工号> 指定创建人。）',
  },
  rating: {
    label: (value: number) => RATING_LABELS[value - 1] ?? String(value),
    labels: RATING_LABELS,
  },
  /** Problems with a question list (a template file, the console's survey form). */
  schema: {
    notList: '问题列表应是一个 JSON 数组，每项是一道题',
    notObject: '每道题应是一个对象：{key, kind, prompt, options?, required}',
    unknownKeys: (keys: string[]) => `不认识的字段：${keys.join('、')}（只能有 key、kind、prompt、options、required）`,
    key: 'key 须是小写英文字母开头的英文、数字或下划线（不超过 32 个字符），如 overall',
    kind: 'kind 只能是 rating（1–5 分）、choice（单选）或 text（文字）',
    prompt: '题目不能为空',
    promptLong: '题目不超过 100 字',
    option: '选项不能为空',
    optionLong: '每个选项不超过 40 字',
    optionsFew: '单选题至少要有 2 个选项',
    optionsMany: '单选题最多 10 个选项',
    required: 'required 须是 true（必答）或 false（选答）',
    choiceNeedsOptions: (key: string) => `「${key}」是单选题，须给出 options`,
    onlyChoiceHasOptions: (key: string) => `「${key}」不是单选题，不能有 options`,
    optionsRepeat: (key: string) => `「${key}」的选项有重复`,
    empty: '至少要有一道题',
    tooMany: (max: number) => `最多 ${max} 道题`,
    keyRepeat: (key: string) => `key「${key}」重复了，每道题的 key 须不同`,
    noneRequired: '至少要有一道必答题',
    at: (path: PropertyKey[]) => `第 ${typeof path[0] === 'number' ? path[0] + 1 : String(path[0])} 题${path.length > 1 ? `（${path.slice(1).map(String).join('.')}）` : ''}：`,
  },
  answer: {
    missing: (prompt: string) => `「${prompt}」还没有回答`,
    notAnOption: (prompt: string) => `「${prompt}」的回答不是可选的选项`,
    tooLong: (prompt: string, max: number) => `「${prompt}」不超过 ${max} 字`,
  },
  cli: {
    usage: [
      'npm run cli -- surveys template show [--category <培训类别>] [--json]',
      'npm run cli -- surveys template set [--category <培训类别>] --file <问题.json> [--title <标题>] [--by <姓名>]',
      '    培训评价的问题模板：不写 --category 即默认模板（各类别未单独设置时都用它）',
    ].join('\n'),
    unknownSub: (sub: string) => `不认识的子命令「${sub}」。`,
    fileMissing: '缺少 --file <问题.json>',
    fileUnreadable: (path: string, reason: string) => `读不了文件 ${path}：${reason}`,
    notJson: (path: string, reason: string) => `${path} 不是有效的 JSON：${reason}`,
    invalid: (problems: string[]) => ['问题列表有误，未保存：', ...problems.map((p) => `  - ${p}`)].join('\n'),
    noTemplate: (category: string) => `类别「${category}」没有单独的模板，使用默认模板：`,
    heading: (title: string, category: string | null) => `${title}（${category ? `类别：${category}` : '默认模板'}）`,
    questionLine: (n: number, prompt: string, kind: string, required: boolean, options: string[]) =>
      `${n}. ${prompt}  [${kind === 'rating' ? '1–5 分' : kind === 'choice' ? `单选：${options.join(' / ')}` : '文字'}${required ? '' : '，选答'}]`,
    saved: (category: string | null, count: number) => `已保存${category ? `类别「${category}」的` : '默认'}评价模板，共 ${count} 题。之后结束的培训使用新模板，已发出的评价不变。`,
    defaultTitle: '培训评价',
    unknownCategory: (raw: string, choices: string[]) => `没有「${raw}」这个培训类别（可选：${choices.join('、')}）`,
    titleLong: '标题不超过 40 字',
  },
} as const;
