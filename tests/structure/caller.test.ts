/**
 * A typed caller (issue 15, item 5): a command declares who may run it (`allow`) and its handler gets a caller
 * typed by that, so no code needs `teacher!` to reach a bound caller's roster entry, and the registry holds the
 * commands defineCommand builds without `as Command` casts. This test reads src/ and commands/ with the
 * TypeScript parser (comments do not count) and fails if either comes back.
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
});
