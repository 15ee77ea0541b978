import type { Command } from '../src/bot/command.js';
import bind from './bind.js';
import { createHelpCommand } from './help.js';
import hours from './hours.js';
import records from './records.js';
import unbind from './unbind.js';
import whoami from './whoami.js';
import cancelCredit from './cancel-credit.js';
import sessionClose from './session-close.js';
import sessionCreate from './session-create.js';
import sessionRemind from './session-remind.js';
import sessionStatus from './session-status.js';
import signin from './signin.js';
import signout from './signout.js';

/** Every chat command, in the order help lists them. */
export const commands: Command[] = [];
const help = createHelpCommand(() => commands);
commands.push(hours as Command, records as Command, bind as Command, whoami as Command, help as Command, unbind as Command);
// Training sessions and sign-in (签到).
commands.push(
  signin as Command,
  signout as Command,
  sessionCreate as Command,
  sessionStatus as Command,
  sessionRemind as Command,
  cancelCredit as Command,
  sessionClose as Command,
);
