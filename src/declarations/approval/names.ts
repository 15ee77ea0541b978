import type { Db } from '../../../db/client.js';
import { findTeacherById } from '../../ledger/store.js';
import type { DeclarationView } from '../types.js';

/** The names of everyone the history mentions (who acted, who it was handed to), for the card and the pages. */
export async function stepNames(db: Db, view: DeclarationView): Promise<Map<number, string>> {
  const names = new Map<number, string>([[view.teacher.id, view.teacher.name], ...view.assignees.map((a) => [a.id, a.name] as const)]);
  for (const s of view.steps) {
    for (const id of [s.actorTeacherId, s.toTeacherId]) {
      if (id !== null && !names.has(id)) names.set(id, (await findTeacherById(db, id))?.name ?? '');
    }
  }
  return names;
}
