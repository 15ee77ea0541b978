/**
 * 培训评估与需求调研 (issue 17): the evaluation after a session, needs surveys, and the officer's CLI for the
 * question templates. Imports nothing of src/surveys, so the feature may import it without a cycle.
 */
const RATING_LABELS = ['1 很不满意', '2 不满意', '3 一般', '4 满意', '5 很满意'] as const;

export const surveysText = {
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
