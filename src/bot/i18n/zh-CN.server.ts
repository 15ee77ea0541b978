/**
 * The server's own words, as the operator reads them: configuration refusals, the start-up banner and each
 * platform's status line (bilingual on purpose: operators paste them into English search engines and tickets).
 * Imports nothing, so config.ts and the adapters can read it without a cycle.
 */
export const serverText = {
  config: {
    /** The heading a ConfigError starts with, then one line per variable at fault. */
    error: (lines: string[]) => `配置错误 (configuration error):\n${lines.join('\n')}`,
    badTimeZone: '不是有效的 IANA 时区，例如 Asia/Shanghai',
    adminTokenShort: 'ADMIN_TOKEN 至少 16 个字符（建议 32 个以上的随机字符）',
    badProxies: '应为逗号分隔的 IP 地址或 CIDR 网段，例如 127.0.0.1,::1,10.0.0.0/8',
    /** OFFICE_NAME when unset: printed at the top of each 学时证明 and by the seal. */
    defaultOfficeName: '教师培训管理办公室',
    badPoolSize: 'DATABASE_POOL_SIZE 应为 1 到 500 之间的整数（每个实例的 PostgreSQL 连接数）',
    badInstanceId: 'INSTANCE_ID 最多 64 个字符，只能用字母、数字和 . _ - : @',
    feishuPair: 'FEISHU_APP_ID 与 FEISHU_APP_SECRET 需同时设置',
    dingtalkPair: 'DINGTALK_CLIENT_ID 与 DINGTALK_CLIENT_SECRET 需同时设置',
  },
  startup: {
    started: (host: string, port: number) => `学时助手已启动 · http://${host}:${port}/healthz`,
    database: (path: string, teachers: number, policy: string, timeZone: string) =>
      `数据库 ${path}（名册 ${teachers} 人）· 政策默认 ${policy} · 时区 ${timeZone}`,
    feishuOff: '  feishu: off — 设置 FEISHU_APP_ID / FEISHU_APP_SECRET（见 .env.example）即可接入飞书',
    dingtalkOff: '  dingtalk: off — 设置 DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET 即可接入钉钉',
    console: (url: string) => `管理后台：${url}/admin（首次用 ADMIN_TOKEN 登录，之后由管理员向机器人发送「后台」获取登录链接）`,
    tryLocally: '本地试用：另开终端运行 npm run demo（演示名册）或 npm run chat（当前数据库）',
  },
  feishu: {
    longConnection: '飞书 Feishu: 已启用 on · 长连接模式 websocket mode (无需公网地址 no public URL needed)',
    refused:
      '飞书 Feishu: 回调已拒绝 webhook REFUSED · 未设置 FEISHU_VERIFICATION_TOKEN / FEISHU_ENCRYPT_KEY, 任何人都能伪造事件 anyone could forge events (FEISHU_ALLOW_UNVERIFIED=true 可强制开启)',
    encrypted: '签名+加密 signed+encrypted',
    unsigned: '未设置 FEISHU_ENCRYPT_KEY, 不验签 unsigned',
    webhook: (eventsPath: string, cardsPath: string, secured: string) =>
      `飞书 Feishu: 已启用 on · 回调模式 webhook mode · 事件 event URL: POST ${eventsPath} · 卡片回调 card URL: POST ${cardsPath} (${secured})`,
  },
  dingtalk: {
    robotCode: (code: string) => `robotCode ${code}`,
    robotCodeIsClientId: (code: string) => `robotCode = ClientId ${code} (未设置 DINGTALK_ROBOT_CODE, not set)`,
    connected: '已连接 connected',
    disconnected: '未连接 not connected',
    stream: (state: string, robot: string) =>
      `钉钉 DingTalk: 已启用 on · Stream 模式 stream mode (无需公网地址 no public URL needed) · ${state} · ${robot}`,
    webhook: (callbackPath: string, robot: string) =>
      `钉钉 DingTalk: 已启用 on · 回调模式 webhook mode · 消息接收地址 callback URL: POST ${callbackPath} (签名校验 signed, ±1 h) · ${robot}`,
    /** A card button in robot markdown, which has no buttons: what to send instead. */
    buttonToSend: (label: string, command: string) => `- ${label}：发送「${command}」`,
  },
};

export type ServerText = typeof serverText;
