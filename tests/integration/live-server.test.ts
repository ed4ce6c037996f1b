// The live cockpit on the production entry (server/ + build/): the server reads the live state from the
// shared SQLite database, so a state written here (as a form action would) is what its clients get and
// what it enforces: the type-100 message on connect, a lock's refusal (101), private rooms' authorisation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNote, readBoard } from '../../src/lib/board/model';
import { privateRoomName } from '../../src/lib/server/collab';
import { setLocked, setPhase, setPrivateWriting, startTimer } from '../../src/lib/server/live';
import { createWorkshop, getWorkshopDetails } from '../../src/lib/server/workshops';
import {
	authorOf,
	connectLive,
	loggedUpdates,
	newGuest,
	newMember,
	newUser,
	sleep,
	synced,
	tryUpgrade,
	waitFor,
	workshopInput,
	type BoardClient
} from '../helpers/collab';
import { startProductionServer, type RunningServer } from '../helpers/server';

let server: RunningServer;
const clients: BoardClient[] = [];

beforeAll(async () => {
	process.setMaxListeners(100);
	server = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH!, VERSTAS_COLLAB_UNLOAD_AFTER_MS: '200' } });
});

afterAll(async () => {
	for (const c of clients) c.destroy();
	await server?.stop();
});

function join(room: string, person: { cookie: string; name: string }) {
	const c = connectLive(server.url, room, { cookie: person.cookie, name: person.name });
	clients.push(c);
	return c;
}

describe('live cockpit on the production server', () => {
	it('a late joiner gets phase and timer; a lock is enforced; private rooms are only for their owner, not even for facilitators', async () => {
		const owner = await newUser('Fasilitaattori');
		const workshop = await createWorkshop({ ...workshopInput('Tuotanto'), phases: [{ kind: 'ideas', title: 'Ideointi', durationMinutes: 15 }] }, owner.id);
		const { phases, perspectives } = (await getWorkshopDetails(workshop.id))!;
		const lane = perspectives[0]!.id;
		const anna = await newGuest(workshop.id, 'Anna');
		const bertil = await newMember(workshop.id, 'Bertil');

		await setPhase(workshop.id, phases[0]!.id);
		const started = await startTimer(workshop.id);
		await setLocked(workshop.id, true);
		await sleep(200);

		const facilitator = join(workshop.id, owner);
		const a = join(workshop.id, anna);
		await synced(facilitator, a);
		await waitFor(() => a.channel.live.length > 0, 'the live state');
		const { state, serverNow } = a.channel.live[0]!;
		expect(state).toMatchObject({ phaseId: phases[0]!.id, locked: true });
		expect(state.timer).toMatchObject({ running: true, endsAt: started.timer.endsAt, durationMs: 15 * 60_000 });
		expect(state.timer.remainingMs).toBe(state.timer.endsAt! - serverNow);
		expect(state.timer.remainingMs).toBeLessThanOrEqual(15 * 60_000 - 200);

		addNote(a.doc, { text: 'Lukittuna', lane, author: { id: anna.id, name: anna.name } });
		await waitFor(() => a.channel.refused.includes('locked') && a.closes.includes(4101), 'the refusal');
		addNote(facilitator.doc, { text: 'Fasilitaattorin', lane, author: authorOf(owner) });
		await waitFor(async () => await loggedUpdates(workshop.id) === 1, 'the facilitator’s note saved');
		await sleep(150);
		expect(readBoard(facilitator.doc).notes.map((n) => n.text)).toEqual(['Fasilitaattorin']);

		await setPrivateWriting(workshop.id, true, false);
		const annaRoom = privateRoomName(workshop.id, anna.id);
		expect((await tryUpgrade(server.url, annaRoom, { cookie: bertil.cookie, origin: server.url })).status).toBe(403);
		expect((await tryUpgrade(server.url, annaRoom, { cookie: anna.cookie, origin: server.url })).opened).toBe(true);
		expect((await tryUpgrade(server.url, annaRoom, { cookie: owner.cookie, origin: server.url })).status).toBe(403);
	});
});
