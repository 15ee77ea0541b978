import type { Command } from '../src/bot/command.js';
import bind from './bind.js';
import bindCode from './bind-code.js';
import { createHelpCommand } from './help.js';
import certificate from './certificate.js';
import hours from './hours.js';
import records from './records.js';
import unbind from './unbind.js';
import whoami from './whoami.js';
import smalltalk from './smalltalk.js';
import adminLogin from './admin-login.js';
import broadcastCancel from './broadcast-cancel.js';
import broadcastConfirm from './broadcast-confirm.js';
import broadcastProgress from './broadcast-progress.js';
import broadcast from './broadcast.js';
import deadlineFiled from './deadline-filed.js';
import deadlineFileConfirm from './deadline-file-confirm.js';
import deadlineUnfile from './deadline-unfile.js';
import deadlineNew from './deadline-new.js';
import deadlineStatus from './deadline-status.js';
import deadlineTodo from './deadline-todo.js';
import remindersOff from './reminders-off.js';
import remindersOn from './reminders-on.js';
import cancelCredit from './cancel-credit.js';
import recordCorrect from './record-correct.js';
import recordRevoke from './record-revoke.js';
import sessionCancel from './session-cancel.js';
import sessionClose from './session-close.js';
import sessionCreate from './session-create.js';
import sessionRemind from './session-remind.js';
import sessionStatus from './session-status.js';
import signin from './signin.js';
import signout from './signout.js';
import mySignIns from './my-signins.js';
import declarationPending from './declaration-pending.js';
import declarationApprove from './declaration-approve.js';
import declarationReturn from './declaration-return.js';
import declarationForward from './declaration-forward.js';
import declare from './declare.js';
import declarationAnswer from './declaration-answer.js';
import declarationForm from './declaration-form.js';
import declarationResubmit from './declaration-resubmit.js';
import declarationWithdraw from './declaration-withdraw.js';
import myDeclarations from './my-declarations.js';
import surveyEvaluate from './survey-evaluate.js';
import surveyStart from './survey-start.js';
import surveyMine from './survey-mine.js';
import surveyReply from './survey-reply.js';
import surveyForm from './survey-form.js';

/** Every chat command, in the order help lists them. */
export const commands: Command[] = [];
const help = createHelpCommand(() => commands);
commands.push(hours, records, certificate, bind, whoami, help, unbind);
// Training sessions and sign-in (签到).
commands.push(
  signin,
  signout,
  mySignIns,
  sessionCreate,
  sessionStatus,
  sessionRemind,
  cancelCredit,
  recordRevoke,
  recordCorrect,
  sessionClose,
  sessionCancel,
);
// Deadlines, filing reminders, the monthly hours reminder, and officer broadcasts.
commands.push(
  deadlineTodo,
  deadlineFiled,
  deadlineFileConfirm,
  deadlineUnfile,
  deadlineNew,
  deadlineStatus,
  remindersOff,
  remindersOn,
  broadcast,
  broadcastConfirm,
  broadcastCancel,
  broadcastProgress,
);
// 学时申报, the approver's side: what waits for me, and the three decisions (also the approval card's buttons).
commands.push(declarationPending, declarationApprove, declarationReturn, declarationForward);
// The officer web console's one-time login link.
commands.push(adminLogin);
// Thanks, 好的, 辛苦了: reached through the intents, hidden from help.
commands.push(smalltalk);
// One-time codes officers and school leaders bind with.
commands.push(bindCode);
// 培训评价 and 需求调研 (issue 17): before 学时申报's answers, so a teacher answering a short evaluation is not
// pulled into a half-filled declaration; 取消 / 跳过 belong to whichever form is open (bot.ts).
commands.push(surveyEvaluate, surveyStart, surveyMine, surveyReply, surveyForm);
// 学时申报 (teacher's side): the step-by-step form, its answers, and the teacher's own list.
commands.push(declare, myDeclarations, declarationResubmit, declarationWithdraw, declarationAnswer, declarationForm);
