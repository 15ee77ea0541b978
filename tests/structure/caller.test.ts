/**
 * A typed caller (issue 15, item 5): a command declares who may run it (`allow`) and its handler gets a caller
 * typed by that, so no code needs `teacher!` to reach a bound caller's roster entry, and the registry holds the
 * commands defineCommand builds without `as Command` casts. This test reads src/ and commands/ with the
 * TypeScript parser (comments do not count) and fails if either comes back. It also fails when a command file
 * checks a role its `allow` already guarantees (an officer-only command asking whether the caller is an officer),
 * or checks roles by hand (`roles.has`) rather than with the guards isLeader / isOfficer that narrow the type.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Each `x.teacher!` and each `as Command` / `<Command>` assertion in the text, as `line: code`. */
function untypedCallers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const report = (node: ts.Node) => found.push(`${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}: ${node.getText(source)}`);
  const isCommandType = (type: ts.TypeNode) => ts.isTypeReferenceNode(type) && type.typeName.getText(source) === 'Command';
  const visit = (node: ts.Node) => {
    if (ts.isNonNullExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'teacher') report(node);
    if ((ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && isCommandType(node.type)) report(node);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const GUARDS: Record<string, string> = { isBound: 'teacher', isLeader: 'leader', isOfficer: 'officer' };

/** The roles every caller a command's `allow` admits holds: any role list means bound (teacher); one role, that one. */
function guaranteedRoles(allow: ts.Expression): Set<string> {
  if (!ts.isArrayLiteralExpression(allow)) return new Set();
  const roles = allow.elements.filter(ts.isStringLiteral).map((e) => e.text);
  return new Set(roles.length === 1 ? ['teacher', ...roles] : ['teacher']);
}

/**
 * In a command file, each `x.roles.has(...)` (a hand-made role check: use a guard) and each guard or `holdsRole`
 * call for a role the file's `allow` guarantees already, as `line: code`.
 */
function redundantRoleChecks(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const report = (node: ts.Node) => found.push(`${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}: ${node.getText(source)}`);
  let guaranteed = new Set<string>();
  const findAllow = (node: ts.Node) => {
    if (ts.isPropertyAssignment(node) && node.name.getText(source) === 'allow') guaranteed = guaranteedRoles(node.initializer);
    ts.forEachChild(node, findAllow);
  };
  findAllow(source);
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : null;
      const second = node.arguments[1];
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'has' && ts.isPropertyAccessExpression(callee.expression) && callee.expression.name.text === 'roles') report(node);
      else if (name && name in GUARDS && guaranteed.has(GUARDS[name])) report(node);
      else if (name === 'holdsRole' && second && ts.isStringLiteral(second) && guaranteed.has(second.text)) report(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('typed caller', () => {
  it('no teacher! and no as Command in src/ or commands/', () => {
    const files = ['src', 'commands'].flatMap((dir) => sourceFiles(join(root, dir)));
    // A walker that found nothing would pass anything.
    expect(files.length).toBeGreaterThan(150);
    const found = files.flatMap((file) => untypedCallers(file, readFileSync(file, 'utf8')).map((hit) => `${relative(root, file)}:${hit}`));
    expect(found).toEqual([]);
  });

  it('sees both, in any spelling, and not in comments or other names', () => {
    const code = [
      'const me = ctx.caller.teacher!;',
      'use(caller.teacher!.id);',
      'list.push(hours as Command, help as Command<typeof schema>);',
      'const c = <Command>x;',
      '// a comment about teacher! and as Command',
      'const ok = caller.teacher?.id ?? other.teachers!.length;',
      'const y = x as CommandContext;',
    ].join('\n');
    expect(untypedCallers('x.ts', code)).toEqual([
      '1: ctx.caller.teacher!',
      '2: caller.teacher!',
      '3: hours as Command',
      '3: help as Command<typeof schema>',
      '4: <Command>x',
    ]);
    expect(untypedCallers('x.tsx', 'const el = <p>{user.teacher!.name}</p>;')).toEqual(['1: user.teacher!']);
  });

  it('no command re-checks a role its allow guarantees, nor checks roles by hand', () => {
    const files = sourceFiles(join(root, 'commands'));
    // Most commands are for roles: a reader that found no allow would pass anything.
    const withRoles = files.filter((file) => /allow: \[/.test(readFileSync(file, 'utf8')));
    expect(withRoles.length).toBeGreaterThan(40);
    const found = files.flatMap((file) => redundantRoleChecks(file, readFileSync(file, 'utf8')).map((hit) => `${relative(root, file)}:${hit}`));
    expect(found).toEqual([]);
  });

  it('sees a re-checked role and a hand-made check, and lets a guard that tells several roles apart be', () => {
    const officerOnly = [
      "defineCommand({ allow: ['officer'], run({ caller }) {",
      "  if (!caller.roles.has('officer')) return no;",
      '  if (isOfficer(caller) && isBound(caller)) return yes;',
      "  return holdsRole(caller, 'officer') ? yes : no;",
      '} });',
    ].join('\n');
    expect(redundantRoleChecks('x.ts', officerOnly)).toEqual([
      "2: caller.roles.has('officer')",
      '3: isOfficer(caller)',
      '3: isBound(caller)',
      "4: holdsRole(caller, 'officer')",
    ]);
    const either = [
      "defineCommand({ allow: ['leader', 'officer'], run({ caller }) {",
      '  if (isLeader(caller)) return lead(caller.leads);',
      "  if (ctx.caller.roles.has('leader')) return no;",
      '  return isBound(caller) ? isOfficer(caller) : no;',
      '} });',
    ].join('\n');
    expect(redundantRoleChecks('x.ts', either)).toEqual(["3: ctx.caller.roles.has('leader')", '4: isBound(caller)']);
    expect(redundantRoleChecks('x.ts', "defineCommand({ allow: 'anyone', run({ caller }) { return isBound(caller) ? isOfficer(caller) : no; } });")).toEqual([]);
  });
});
