/**
 * Synthetic roster and credit-record CSVs for the ledger bench, written as streams (a few MB of buffer,
 * whatever the row count). Deterministic for a given seed.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';

/** Small, fast, seedable PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const TEACHER_HEADER = '工号,姓名,学校,入职日期,师范毕业,班主任,职务,政策';
export const RECORD_HEADER = '工号,日期,学时,类别,项目,编号';

export const employeeNo = (i: number) => `T${String(i + 1).padStart(7, '0')}`;

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽';
const SCHOOL_KIND = ['第一中学', '第二中学', '实验小学', '中心小学', '幼儿园', '职业学校', '初级中学', '民族中学'];
const COUNTIES = ['兴宾区', '象州县', '武宣县', '忻城县', '金秀县', '合山市', '城中区', '鱼峰区', '柳南区', '柳北区', '柳江区', '柳城县', '鹿寨县', '融安县', '融水县', '三江县'];
/** Category names every bundled preset recognises. */
export const CATEGORIES = ['师德师风', '校本研修', '集中培训', '网络研修', '跟岗实践', '班主任培训', '新教师培训'];
const POLICIES: [string, number][] = [
  ['laibin', 0.4],
  ['liuzhou', 0.25],
  ['otog', 0.2],
  ['national', 0.1],
  ['houma', 0.05],
];
const HOURS = ['1', '1.5', '2', '3', '4', '4.5', '6', '8', '12', '0.5', '2.5', '24'];

/** YYYY-MM-DD of day number d (days since 1970-01-01, UTC). */
export function ymd(d: number): string {
  return new Date(d * 86_400_000).toISOString().slice(0, 10);
}
export function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

/** Writes lines through a stream, waiting for 'drain' when its buffer is full. */
class LineWriter {
  private readonly stream;
  private chunk: string[] = [];
  private size = 0;
  bytes = 0;
  constructor(path: string) {
    this.stream = createWriteStream(path, { highWaterMark: 4 << 20 });
  }
  /** Returns a promise only when the buffer was flushed and the stream asked to wait. */
  line(s: string): Promise<void> | undefined {
    this.chunk.push(s);
    this.size += s.length;
    return this.size > 1 << 20 ? this.flush() : undefined;
  }
  async flush(): Promise<void> {
    if (this.chunk.length === 0) return;
    const buf = Buffer.from(this.chunk.join('\n') + '\n', 'utf8');
    this.chunk = [];
    this.size = 0;
    this.bytes += buf.length;
    if (!this.stream.write(buf)) await once(this.stream, 'drain');
  }
  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

export interface RosterOptions {
  teachers: number;
  schools: number;
  seed?: number;
  /** Latest hire date (YYYY-MM-DD). */
  today: string;
}

/** 工号,姓名,学校,入职日期,师范毕业,班主任,职务,政策 — one principal per school, the rest teachers. */
export async function writeRoster(path: string, o: RosterOptions): Promise<number> {
  const rand = rng(o.seed ?? 1);
  const w = new LineWriter(path);
  await w.line(TEACHER_HEADER);
  const latest = dayNumber(o.today) - 1;
  const earliest = latest - 35 * 365;
  const schoolOf = (i: number) => `${COUNTIES[i % COUNTIES.length]}${Math.floor(i / COUNTIES.length) + 1}${SCHOOL_KIND[i % SCHOOL_KIND.length]}`;
  const principalSeen = new Set<number>();
  for (let i = 0; i < o.teachers; i++) {
    const school = Math.floor(rand() * o.schools);
    const name = SURNAMES[Math.floor(rand() * SURNAMES.length)] + GIVEN[Math.floor(rand() * GIVEN.length)] + (rand() < 0.6 ? GIVEN[Math.floor(rand() * GIVEN.length)] : '');
    // Skewed towards experienced staff, with a steady intake of new teachers.
    const hire = rand() < 0.08 ? latest - Math.floor(rand() * 700) : earliest + Math.floor(rand() * (latest - earliest));
    let position = '教师';
    if (!principalSeen.has(school)) {
      principalSeen.add(school);
      position = '校长';
    } else if (rand() < 0.01) position = '副校长';
    let p = rand();
    let policy = POLICIES[0][0];
    for (const [id, share] of POLICIES) {
      if ((p -= share) < 0) {
        policy = id;
        break;
      }
    }
    const normal = rand() < 0.7 ? '是' : rand() < 0.5 ? '否' : '';
    const homeroom = rand() < 0.3 ? '是' : '否';
    const wait = w.line(`${employeeNo(i)},${name},${schoolOf(school)},${ymd(hire)},${normal},${homeroom},${position},${policy}`);
    if (wait) await wait;
  }
  await w.close();
  return w.bytes;
}

export interface RecordOptions {
  teachers: number;
  perTeacher: number;
  /** Records are dated within the five years before this day (never on or after it). */
  today: string;
  seed?: number;
  /** Hash-like 编号 (random order for the unique index) instead of sequential ones. */
  randomKeys?: boolean;
}

/**
 * 工号,日期,学时,类别,项目,编号. Rows come in export order: pass k covers every teacher once, passes move
 * forward in time, so one teacher's records are spread over the whole file (and the table).
 */
export async function writeRecords(path: string, o: RecordOptions): Promise<number> {
  const rand = rng(o.seed ?? 2);
  const w = new LineWriter(path);
  await w.line(RECORD_HEADER);
  const last = dayNumber(o.today) - 1;
  const first = last - 5 * 365;
  const span = (last - first) / o.perTeacher;
  let n = 0;
  for (let pass = 0; pass < o.perTeacher; pass++) {
    const passStart = first + Math.floor(pass * span);
    for (let t = 0; t < o.teachers; t++) {
      const date = ymd(Math.min(last, passStart + Math.floor(rand() * span)));
      const category = CATEGORIES[Math.floor(rand() * (rand() < 0.1 ? CATEGORIES.length : 4))];
      const hours = HOURS[Math.floor(rand() * HOURS.length)];
      const project = `${date.slice(0, 4)}年${category}（第${(pass % 12) + 1}期）`;
      n++;
      const key = o.randomKeys
        ? createHash('md5').update(String(n)).digest('hex').slice(0, 20)
        : `XS${date.slice(0, 4)}${String(n).padStart(9, '0')}`;
      const wait = w.line(`${employeeNo(t)},${date},${hours},${category},${project},${key}`);
      if (wait) await wait;
    }
  }
  await w.close();
  return w.bytes;
}
