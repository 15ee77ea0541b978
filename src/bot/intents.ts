/**
 * Natural questions → commands, by rules (no LLM). Runs on every message that is not a command name, so it
 * is a handful of precompiled regular expressions over one normalised string.
 *
 * The labelled phrase set in tests/fixtures/phrases.tsv holds what teachers really type (typos, full-width
 * characters, polite openers, trailing 吗/呢/啊) and what each must do; its test fails below 97 %.
 */
export interface IntentMatch {
  command: string;
  /** Words for the command, e.g. a sign-in code, 下一页, a year, or a name its handler checks against the caller. */
  argText?: string;
  /** Set when the question is about someone else's data, which a teacher may not see. */
  aboutSomeoneElse?: boolean;
}

/** The hidden command that answers thanks, "好的", "辛苦了" and the like (commands/smalltalk.ts). */
export const SMALLTALK_COMMAND = '闲聊';
export type SmalltalkKind = 'thanks' | 'tired' | 'bye' | 'greeting' | 'ok';

const UNIT = '(?:学时|学分|课时|继续教育|培训时[长间]|时数|hours?|credits?)';
const HAS_UNIT = new RegExp(UNIT);
/** A credit category asked about on its own: 校本研修够了吗, 师德还差多少. */
const CATEGORY_ASK = /(?:师德师风|师德|校本研修|校本培训|集中培训|网络研修|远程培训|跟岗实践|跟岗|班主任培训|校长培训|新教师培训|年度).{0,4}(?:还差|还缺|还要|还需|够|达标|完成|多少|几)/;

/** Greetings and openers people put before the question; alone, a greeting gets the help list. */
const GREETING = '(?:老师们?|各位|大家)?(?:你好|您好)(?:老师)?|老师们?好?|各位好|大家好|hi|hello|hey|哈喽|嗨|在吗|在不在|在么|大家好|助手';
const GREETING_ONLY = new RegExp(`^(?:${GREETING}|[,.!?~、])+$`);
const OPENER = /^(?:(?:老师们?|各位|大家)?(?:你好|您好|好)|老师们?|hi|hello|哈喽|在吗|在不在|请问一下|请问|问一下|问下|问问|想问一下|想问下|想问问|我想问一下|我想问下|我想问问|打扰一下|打扰了|麻烦(?:您|你)?|劳驾|学时助手|助手)[,.!?~、:]*/;
const TRAILING = /(?:[,.!?~、…]|吗|呢|啊|呀|哈|吧|嘛|哦|噢|捏|哇|please|谢谢(?:老师|您|你)?)+$/;

const SMALLTALK: [SmalltalkKind, string][] = [
  ['tired', '(?:您|你|老师|大家)?辛苦(?:了|啦|啦啦)'],
  ['thanks', '(?:非常|十分|太|多)?(?:谢谢|感谢|谢啦|谢了|多谢|thanks|thankyou|thx|3q)(?:您|你|老师|啦|了)*'],
  ['bye', '再见|拜拜|bye|byebye|晚安'],
  ['greeting', '(?:早上好|上午好|中午好|下午好|晚上好|早安|早)(?:老师们?|您|你|大家)?'],
  ['ok', '好的?|好滴|好嘞|好哒|好吧|嗯+|恩+|哦+|噢+|ok|okay|收到|知道了|明白了?|了解了?|懂了|没问题|行|可以|不用了|👍+|赞+|棒|太棒了|好厉害|厉害|哈+|呵+|666'],
];
const SMALLTALK_ALL = new RegExp(`^(?:(?:${SMALLTALK.map(([, re]) => re).join('|')})[,.!?~、]*)+$`);
const SMALLTALK_KINDS = SMALLTALK.map(([kind, re]) => [kind, new RegExp(`(?:${re})`)] as const);

const HELP = /^(?:\?+|帮助|功能|命令|菜单|指令|说明)$|怎么用|如何使用|怎么使用|使用说明|你能(?:做|干|帮我做|帮我干|帮我)?(?:什么|啥|嘛)|你能干$|你会(?:做)?(?:什么|啥)|(?:有|都有)(?:什么|哪些)(?:功能|命令|指令)|(?:命令|功能|指令)有哪些|你是谁|怎么问你/;

const CODE = '(\\d{4,8})';
const SIGN = /^(?:我要|我想|我来|帮我|给我|我)?(签到|签个到|签一下到|打卡|checkin|签退|签个退|checkout)(?:一下)?(?:码|号)?(?:是|为|:)?(\d{4,8})?$/;
const BARE_CODE = new RegExp(`^${CODE}$`);
const CODE_FIRST = /^(\d{4,8})(签到|签退)$/;
/**
 * 「我签到了吗」 and its variants (我签到没有, 我今天签到了吗, 我有没有签到, 签退了没): asking whether one signed
 * in or out, answered by the read-only 我签到了吗 and never by 签到 itself (a bare 签到 signs in to a button
 * session). A bare 签到/我签到 has none of the status words and stays a sign-in.
 */
const SIGN_STATUS =
  /^(?:查一?下|查查|看一?下|看看)?(?:我|我的|本人)?(?:今天|今日|刚才|刚刚|上午|下午)?的?(?:到底)?(?:有没有|是否|是不是)?(?:已经)?(签到|签退|打卡|签上)上?(?:了|过|成功)*(?:没有?|么|否)?(?:的?(?:状态|情况|结果))?$/;
const SIGN_STATUS_WORD = /了|过|没|否|么|成功|状态|情况|结果|有没有|是否|是不是|我的|查|看/;
export const SIGN_STATUS_COMMAND = '我签到了吗';

const HOW_TO_SIGN = /(?:怎么|如何|在哪里?|哪里)(签到|签退|打卡)|(签到|签退)码在哪/;

const PAGE_WORDS = /^(?:下一页|下页|更多|更多记录|再来|后面的?|上一页|上页)$/;
const RECORDS = /记录|records?|明细|清单|流水|(?:参加|修|上)(?:过|了)?(?:哪些|什么)培训|哪些培训|怎么来的|哪来的/;
const NOT_RECORDS = /(?:会议|聊天|通话|听课|教研|上课|考勤)记录|怎么(?:登记|写|上传|补|添加|删除|改)|如何(?:登记|上传|补)|发我/;
const RECORDS_ARG = /(20\d\d)|(今年|去年|前年)|第(\d+)页|(下一页|下页|更多|上一页|上页)/;

/** 学时申报: the teacher's own declarations (我的申报), or starting one (申报); a question about the rules is neither. */
const MY_DECLARATIONS = /我的申报|(?:我|我的)?申报(?:的)?(?:学时)?(?:进度|记录|情况|状态|结果)|申报的?(?:学时|培训)?.{0,4}(?:通过|审核|批|退回|驳回|到哪)|查.{0,3}申报/;
const DECLARE =
  /(?:申报|补录|补登|登记|认定|上传|提交)(?:一下|下)?(?:外出|在外|外面|校外|参加)?的?(?:培训|学时|学分|证书)|(?:学时|学分|培训|证书).{0,6}(?:申报|补录|补登|登记|认定|上传)|^(?:我要|我想|想|要|帮我)?申报(?:一下)?$/;
const NOT_DECLARE = /标准|条件|规定|截止|什么时候|多久|要求|政策|文件|是什么|名额|别人|他|她/;

/** Questions about the rules, processes or one training, rather than the asker's own figures. */
const NOT_OWN_FIGURES =
  /是什么|什么是|什么意思|啥意思|怎么(?!查|看|问|样|办|这么|那么|才|只|还|没|少)|如何(?!查|看)|证明|证书|打印|认定|标准|登记|申报|补录|上传|录入|申诉|投诉|更新|同步|跨年|结转|抵扣|折算|兑换|银行|网站|平台|入口|报名|算(?:学时|学分|课时|几|不算|吗)|能算|计入|算进|(?:这|那|本|此)(?:次|个|场|门)(?:培训|讲座|活动|课|会)|讲座/;
const MONEY_OR_OTHER = /工资|钱|费|奖金|绩效|补贴|(?:多少|几)个?(?:天|人|把|张|份|题|遍|节|件|号|步|米|公里|站|页|本|周(?!期)|月|小时|分钟|元|块)/;
const HOURS_WITHOUT_UNIT = [
  /(?:还|仍|尚)(?:差|缺|欠|剩|需要?|要|得)(?:修|学|完成|补)?(?:多少|几)/,
  /(?:今年|本年度?|年度|这学期|本学期|本学年|本周期|这个周期|这一周期|这周期|周期内?)还?(?:要|需要?|得|应该?)(?:修|完成|学|补|拿)/,
  /(?:修|学|拿|攒|完成|积累|获得)(?:了|够|满|完)(?:多少|几)/,
  /^(?:我的?|我今年|今年)?(?:都|已经)?(?:是不是|是否)?(?:够|达标|合格|修满|修够|修完|完成)了?(?:吗|没|没有|不|么|否)?$/,
  /^(?:我的?)?(?:学习|培训)?进度(?:怎么样|如何)?$/,
  /(?:还|仍)(?:差|缺|欠)(?:学时|学分)?(?:吗|不|没)/,
  /还(?:需要?|要|得)(?:参加|去)(?:几次|多少次?)?培训/,
];

/** Somebody other than the asker: a pronoun, a colleague, or someone with a title. */
const OTHER_PERSON =
  /(?:^|[^其吉])(?:他|她)(?:们)?(?:的|还|今年|本周期|学时|学分|记录|修|够)|别人|其他(?:老师|教师|人|同事)|别的老师|同事|全校|全体|大家的|我们(?:学校|组|年级|科)|组里|[\u4e00-\u9fa5]{1,2}(?<!班)(?:老师|校长|主任|园长)(?:的|还|今年|本周期|学时|学分|修|够|记录|培训)/;
/** A 工号 (T0002): passed on, so a teacher may still name their own. */
const EMPLOYEE_NO = /(?<![a-z0-9])([a-z]{1,3}\d{3,})(?![a-z0-9])/;
/** Leading "查一下" and the like, before a name: 查一下王五的学时. */
const LOOKUP = /^(?:帮我|帮忙|给我|麻烦|请)?(?:查一下|查一查|查下|查查|查询|查看|查|看一下|看看|看下|看)?/;
const NAME_THEN = /^([\u4e00-\u9fa5]{2,4}?)(?:的|还|今年|本周期|这学期|学时|学分|修了|修够|完成|够|达标|培训|记录|目前|现在)/;
/** Common family names, without those that start everyday words here (年, 新, 全, 到, 班 …). */
const SURNAMES = new Set(
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程魏苏吕丁沈任姚卢姜崔钟谭陆汪范廖石贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武戴莫孔汤欧常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝'.replace(/[时全明师查成和应单]/g, ''),
);
const NOT_A_NAME = /周期|年度|目前|现在|总共|一共|继续|培训|学习|本人|自己|今年|去年|老师|学校|这个|那个/;

const TYPOS: [RegExp, string][] = [
  [/学识|学士|学史|血时|学实/g, '学时'],
  [/换差|还插/g, '还差'],
];

/** Full-width letters and punctuation to plain ones, lower case, no spaces: how the rules read a message. */
function normalise(text: string): string {
  let s = text.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
  s = s.replace(/[。，、！？：；～]/g, (c) => ({ '。': '.', '，': ',', '、': '、', '！': '!', '？': '?', '：': ':', '；': ',', '～': '~' })[c] ?? c);
  for (const [re, to] of TYPOS) s = s.replace(re, to);
  return s;
}

function stripOpeners(s: string): string {
  let previous: string;
  do {
    previous = s;
    s = s.replace(OPENER, '');
  } while (s !== previous && s.length > 0);
  return s;
}

function smalltalkKind(s: string): SmalltalkKind {
  for (const [kind, re] of SMALLTALK_KINDS) if (re.test(s)) return kind;
  return 'ok';
}

/** Someone other than the asker, as a name to check (工号 or a bare name) or as a plain "someone else". */
function otherParty(core: string): { name: string } | { someoneElse: true } | null {
  const no = EMPLOYEE_NO.exec(core);
  if (no) return { name: no[1].toUpperCase() };
  if (OTHER_PERSON.test(core)) return { someoneElse: true };
  const rest = core.replace(LOOKUP, '');
  const named = NAME_THEN.exec(rest);
  if (named && SURNAMES.has(named[1][0]) && !NOT_A_NAME.test(named[1])) return { name: named[1] };
  return null;
}

function personal(command: string, core: string, argText?: string): IntentMatch {
  const other = otherParty(core);
  if (!other) return argText ? { command, argText } : { command };
  if ('name' in other) return { command, argText: other.name };
  return { command, aboutSomeoneElse: true };
}

function recordsArg(core: string): string | undefined {
  const m = RECORDS_ARG.exec(core);
  if (!m) return undefined;
  if (m[1] || m[2]) return m[1] ?? m[2];
  if (m[3]) return `第${m[3]}页`;
  return /上/.test(m[4]) ? '上一页' : '下一页';
}

export function matchIntent(text: string): IntentMatch | null {
  const all = normalise(text);
  if (!all) return null;
  if (GREETING_ONLY.test(all)) return { command: '帮助' };
  if (SMALLTALK_ALL.test(all)) return { command: SMALLTALK_COMMAND, argText: smalltalkKind(all) };

  const core = stripOpeners(all).replace(TRAILING, '');
  if (!core) return { command: '帮助' };
  if (SMALLTALK_ALL.test(core)) return { command: SMALLTALK_COMMAND, argText: smalltalkKind(core) };

  const code = BARE_CODE.exec(core);
  if (code) return { command: '签到', argText: code[1] };
  const codeFirst = CODE_FIRST.exec(core);
  if (codeFirst) return { command: codeFirst[2], argText: codeFirst[1] };
  if (SIGN_STATUS.test(core) && SIGN_STATUS_WORD.test(core) && !SIGN.test(core)) return { command: SIGN_STATUS_COMMAND };
  const sign = SIGN.exec(core);
  if (sign) {
    const command = /退|out/.test(sign[1]) ? '签退' : '签到';
    return sign[2] ? { command, argText: sign[2] } : { command };
  }
  const howTo = HOW_TO_SIGN.exec(core);
  if (howTo) return { command: (howTo[1] ?? howTo[2]) === '签退' ? '签退' : '签到' };

  if (!NOT_DECLARE.test(core)) {
    if (MY_DECLARATIONS.test(core)) return { command: '我的申报' };
    if (DECLARE.test(core)) return { command: '申报' };
  }

  if (PAGE_WORDS.test(core)) return { command: '记录', argText: /上/.test(core) ? '上一页' : '下一页' };
  if (RECORDS.test(core) && !NOT_RECORDS.test(core)) return personal('记录', core, recordsArg(core));

  if (HELP.test(core)) return { command: '帮助' };

  if (NOT_OWN_FIGURES.test(core) || MONEY_OR_OTHER.test(core)) return null;
  if (HAS_UNIT.test(core) || CATEGORY_ASK.test(core) || HOURS_WITHOUT_UNIT.some((re) => re.test(core))) return personal('学时', core);
  return null;
}
