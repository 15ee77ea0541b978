/** The declaration commands' public names (issue 13), shared by the command files and the buttons that send them. */
export const APPROVAL_COMMANDS = {
  pending: '待审申报',
  approve: '通过申报',
  return: '退回申报',
  forward: '转交申报',
} as const;

/** The command the 学时申报 form card's submit button runs (commands/declaration-form.ts). */
export const FORM_COMMAND = '申报表单';
