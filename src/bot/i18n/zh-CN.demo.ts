/**
 * The demo roster's words (`npm run cli -- demo`, `npm run demo`): the fictional cast, their training projects
 * and the guard's refusals that keep demo and real data apart. Category names are the policy's own (recognised
 * input), so they stay in src/cli/demo-data.ts and key the project titles here.
 */
export const demoText = {
  isDemo:
    '这是演示数据库（只含 DEMO 演示名册），不能导入真实数据。请把 DATABASE_PATH 指向正式数据库（默认 data/xueshi.db）后再导入。',
  hasRealData: (realTeachers: number, demoPath: string) =>
    `这个数据库已有真实数据${realTeachers > 0 ? `（名册中 ${realTeachers} 人）` : ''}，不能写入演示数据。` +
    `演示请使用单独的数据库：不设 DATABASE_PATH（默认 ${demoPath}），或设为以 demo.db 结尾的新文件。`,
  schools: { first: '演示一中', second: '演示二小' },
  /** Name and one-line description of each demo teacher, by 工号. */
  cast: {
    DEMO001: { name: '演示李华', blurb: '来宾，进度正常' },
    DEMO002: { name: '演示王芳', blurb: '来宾，班主任，进度落后' },
    DEMO003: { name: '演示张伟', blurb: '鄂托克旗，校长（学校负责人）' },
    DEMO004: { name: '演示赵敏', blurb: '鄂托克旗，班主任' },
    DEMO005: { name: '演示陈晨', blurb: '柳州，新入职非师范毕业' },
    DEMO006: { name: '演示刘洋', blurb: '侯马（文件无学时数），培训管理员' },
  },
  /** Project titles of the demo records, by the policy's category name. */
  projects: {
    集中培训: ['（演示）新课标解读专题培训', '（演示）学科教学能力提升班', '（演示）暑期集中研修'],
    网络研修: ['（演示）国家中小学智慧教育平台研修', '（演示）信息技术应用能力提升工程'],
    校本研修: ['（演示）校本教研：同课异构', '（演示）校本研修：作业设计'],
    师德师风: ['（演示）师德师风专题学习', '（演示）教师职业行为十项准则学习'],
    跟岗实践: ['（演示）名校跟岗学习'],
    班主任培训: ['（演示）班主任专项培训'],
    校长培训: ['（演示）校（园）长远程培训'],
    新教师培训: ['（演示）新教师岗前培训'],
  } as Record<string, string[]>,
  otherProject: '（演示）培训',
};

export type DemoText = typeof demoText;
