/** The database's own words: which database is configured, backups and restores (CLI and logs). */
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} 秒`;

export const backupText = {
  config: {
    databaseUrlScheme: 'DATABASE_URL 应以 postgres:// 或 postgresql:// 开头（SQLite 数据库文件用 DATABASE_PATH 指定）',
    backupCron: 'BACKUP_CRON 不是有效的 cron 表达式，例如 30 2 * * *（每天 2:30，按 TIMEZONE 时间）',
  },
  /** backup / restore with DATABASE_URL: PostgreSQL is copied with its own tools (README, "Backups"). */
  onPostgres: {
    backup:
      '当前数据库是 PostgreSQL（DATABASE_URL），backup 只用于内置的 SQLite 文件。请用 pg_dump 在线备份，例如：\n' +
      '  pg_dump --format=custom --no-owner --file=xueshi.dump "$DATABASE_URL"\n（见 README「Backups」）',
    restore:
      '当前数据库是 PostgreSQL（DATABASE_URL），restore 只用于内置的 SQLite 文件。请先停止所有实例，再用 pg_restore 恢复到一个空数据库，例如：\n' +
      '  createdb xueshi_restored && pg_restore --no-owner --exit-on-error --dbname=postgresql://…/xueshi_restored xueshi.dump\n' +
      '然后把 DATABASE_URL 指向它（见 README「Backups」）',
  },
  keepInvalid: (value: string) => `--keep 应为不小于 1 的整数，收到「${value}」。`,
  sourceMissing: (path: string) => `数据库文件不存在：${path}。请检查 DATABASE_PATH。`,
  integrityFailed: (detail: string) => `备份副本未通过完整性检查，已删除，未保留这份备份：\n${detail}`,
  backedUp: (path: string, bytes: number, ms: number) => `已备份到 ${path}（${mib(bytes)}，用时 ${secs(ms)}，完整性检查通过）`,
  pruned: (keep: number, files: string[]) => `只保留最近 ${keep} 份，已删除较早的备份：${files.join('、')}`,
  restore: {
    fileMissing: (path: string) => `找不到备份文件：${path}`,
    notSqlite: (path: string, detail: string) => `${path} 不是 SQLite 数据库文件，未做任何改动。（${detail}）`,
    notXueshi: (path: string) => `${path} 不是学时助手的数据库（没有名册和迁移记录），未做任何改动。`,
    integrity: (path: string, detail: string) => `备份文件 ${path} 未通过完整性检查，未做任何改动：\n${detail}`,
    inUse: (path: string) =>
      `数据库 ${path} 正在使用中（学时助手正在运行，或另有命令在用它），不能恢复。请先停止学时助手，再运行恢复命令。未做任何改动。`,
    sameFile: '备份文件就是当前数据库文件本身，无需恢复。',
    inMemory: 'DATABASE_PATH 是 :memory:（内存数据库，不存盘），没有可以恢复到的文件。请把 DATABASE_PATH 设为数据库文件的路径。',
    restored: (from: string, to: string, teachers: number) => `已用 ${from} 恢复数据库 ${to}（名册 ${teachers} 人）。`,
    keptAside: (aside: string) => `原数据库文件已改名保留：${aside}（确认无误后可自行删除）`,
    noOld: '原先没有数据库文件。',
  },
} as const;
