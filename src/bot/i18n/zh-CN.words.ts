/** Small talk, records paging and other everyday wording (see commands/smalltalk.ts, commands/records.ts). */
export const wordsText = {
  smalltalk: {
    summary: '寒暄（谢谢、好的、辛苦了）',
    usage: '谢谢',
    // Short and friendly, never figures: a thank-you is not a question.
    replies: {
      thanks: '不客气！有学时问题随时问我。',
      tired: '不辛苦，随时为您服务。',
      bye: '再见，祝您工作顺利！',
      greeting: '您好！想查学时，直接问我「我还差多少学时」就行。',
      ok: '好的。有需要随时找我。',
    } as Record<string, string>,
  },
};
