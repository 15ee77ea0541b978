/** The terminal chat (`npm run chat`, `npm run demo`): its own slash commands, the demo's cast and links. */
export interface CastLine {
  role: string;
  employeeNo: string;
  name: string;
  school: string;
  blurb: string;
  switchWith: string;
}

export const consoleText = {
  demoIntro: (path: string, teachers: number, records: number, today: string) =>
    `【演示模式】演示数据库 ${path}：${teachers} 位虚构教师（工号 DEMO 开头）、${records} 条演示学时记录（截至 ${today}），不含任何真实数据。`,
  server: (url: string) => `演示服务器已启动：${url}（与本对话同一个演示数据库）`,
  portTaken: (port: number, actual: number) => `（端口 ${port} 已被占用，多半是 npm start 正在运行；演示服务器改用端口 ${actual}）`,
  castHeader: '演示角色（输入右侧的命令切换身份）：',
  castLine: (c: CastLine) => `  ${c.role.padEnd(5, '　')} ${c.employeeNo} ${c.name}（${c.school}）— ${c.blurb}　${c.switchWith}`,
  links: (adminLogin: string, admin: string) => [
    `后台：${adminLogin}`,
    `  （培训管理员的一次性登录链接，10 分钟内有效；过期后以管理员身份发送「后台」再取一个。后台首页 ${admin}）`,
  ],
  tryThese: [
    '试试：',
    '  教师　　　「我还差多少学时」「记录」「帮助」',
    '  校长　　　「待办」（本校要报送的事项）',
    '  管理员　　「新建培训 师德讲座 师德师风 2 明天 下午2点-4点」（回复里有投影签到页链接）、「新建截止 年度培训计划 月底」、「发布通知 全部 明天下午开会」、「后台」',
    '  然后切回教师，发送投影页上的「签到 签到码」。',
  ],
  commands: '控制台命令：/as <工号|教师|校长|管理员> 切换身份 · /whoami 当前身份 · /cast 演示角色 · /attach <文件路径> 发送图片或文件 · /help 本说明 · /quit 退出',
  chatIntro: (path: string, count: number) => `控制台对话 · 数据库 ${path}（名册 ${count} 人）`,
  emptyRoster: '名册为空。试用演示数据：npm run demo；导入名册：npm run cli -- import teachers <文件>',
  nowAs: (name: string, employeeNo: string, roles: string) => `你现在是 ${name}（工号 ${employeeNo}，${roles}）。`,
  nobody: '你现在还没有身份：用 /as <工号> 选一位名册中的人（例如 /as 教师、/as 管理员）。',
  switched: (name: string, employeeNo: string, roles: string) => `（已切换为 ${name}，工号 ${employeeNo}，${roles}）`,
  noSuchPerson: (who: string) => `（名册中没有「${who}」。可用工号，或 教师 / 校长 / 管理员；/cast 查看演示角色）`,
  boundElsewhere: (employeeNo: string) => `（工号 ${employeeNo} 已绑定到另一个控制台账号）`,
  asUsage: '（用法：/as <工号|教师|校长|管理员>）',
  noCast: '（名册中没有演示角色）',
  attachUsage: '（用法：/attach <文件路径>，把本机的图片或 PDF 当作聊天中发送的文件）',
  attachMissing: (path: string) => `（找不到文件 ${path}）`,
  /** The roles a person holds, as /as and /whoami say them. */
  roles: (labels: string[]) => labels.join('、'),
  /** The bot's reply in the terminal; later lines indented under the first. */
  botSays: (reply: string) => `学时助手> ${reply.replace(/\n/g, '\n          ')}`,
  prompt: '你> ',
  actAs: {
    notInRoster: (employeeNo: string) => `名册中没有工号 ${employeeNo}`,
    boundElsewhere: (employeeNo: string) => `工号 ${employeeNo} 已绑定到另一个控制台账号`,
  },
};

export type ConsoleText = typeof consoleText;
