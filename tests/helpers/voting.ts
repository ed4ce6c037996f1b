// A workshop with its facilitator and a dot round over its notes, for the voting tests (on whichever database the
// run uses).
import { createUser } from '../../src/lib/server/users';
import { openRound, type RoundInput } from '../../src/lib/server/voting';
import { createWorkshop } from '../../src/lib/server/workshops';
import { workshopInput } from './collab';

let counter = 0;
export async function workshop() {
	const email = `vetaja${++counter}@example.fi`;
	const owner = await createUser({ name: 'Vetäjä', email, password: 'salasana-123' });
	const created = await createWorkshop(
		{ ...workshopInput('Jalostamo'), phases: [{ kind: 'voting', title: 'Äänestys', durationMinutes: 10 }] },
		owner.id
	);
	return { workshopId: created.id, ownerId: owner.id };
}

export const items = (count: number) => Array.from({ length: count }, (_, i) => ({ id: `note-${i}`, kind: 'note' as const, text: `Idea ${i}` }));

export async function round(input: Partial<RoundInput> = {}) {
	const { workshopId, ownerId } = await workshop();
	return openRound(workshopId, { method: 'dot', items: items(4), ...input }, ownerId);
}
