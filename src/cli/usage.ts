/** One-line usages, shared by main.ts's help (without loading the commands) and each command's errors. */
import { cliText } from '../bot/i18n/zh-CN.cli.js';

export const IMPORT_USAGE = cliText.usage.import;
export const HOURS_USAGE = cliText.usage.hours;
export const OFFICER_USAGE = cliText.usage.officer;
export const DEMO_USAGE = cliText.usage.demo;
export const BIND_CODE_USAGE = cliText.usage.bindCode;
export const RECORDS_USAGE = cliText.usage.records;
export const DECLARATIONS_USAGE = cliText.usage.declarations;
