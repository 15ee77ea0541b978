/** The approval commands' public names (issue 13), shared by the command files and the buttons that send them. */
export const APPROVAL_COMMANDS = {
  pending: '待审申报',
  approve: '通过申报',
  return: '退回申报',
  forward: '转交申报',
} as const;
