// "Suggest groups" on the production server (server/ + build/): the board's form action, asked as the browser asks
// it. Only the workshop's facilitators get suggestions, read from the live board; asking writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNote, createCluster, readBoard } from '../../src/lib/board/model';
import { createWorkshop, getWorkshopDetails } from '../../src/lib/server/workshops';
import * as Y from 'yjs';
import { authorOf, connectLive, newGuest, newMember, newUser, storedBoard, synced, waitFor, workshopInput, type BoardClient } from '../helpers/collab';
import { postAction, startProductionServer, type RunningServer } from '../helpers/server';

let server: RunningServer;
const clients: BoardClient[] = [];

beforeAll(async () => {
	process.setMaxListeners(100);
	server = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH! } });
});

afterAll(async () => {
	for (const c of clients) c.destroy();
	await server?.stop();
});

type Suggestions = { lane: string; groups: { lane: string; name: string; noteIds: string[] }[] };

describe('suggested groups on the production server', () => {
	it('answers the workshop’s facilitator from the live board, writes nothing, and refuses everyone else', async () => {
		const owner = await newUser('Fasilitaattori');
		const workshop = await createWorkshop(
			{ ...workshopInput('Ryhmittely'), perspectives: [{ title: 'Nuoret aikuiset', description: '' }, { title: 'Lapsiperheet', description: '' }] },
			owner.id
		);
		const [young, families] = (await getWorkshopDetails(workshop.id))!.perspectives;
		const guest = await newGuest(workshop.id, 'Vieras');
		const member = await newMember(workshop.id, 'Osallistuja');
		const outsider = await newUser('Ulkopuolinen');

		const facilitator = connectLive(server.url, workshop.id, { cookie: owner.cookie, name: owner.name });
		clients.push(facilitator);
		await synced(facilitator);
		const write = (text: string, lane: string) => addNote(facilitator.doc, { text, lane, author: authorOf(owner) });
		const bus = [write('Bussilippu liian kallis nuorille', young!.id), write('Ilmainen bussilippu alle 25-vuotiaille', young!.id), write('Bussiliput halvemmiksi opiskelijoille', young!.id)];
		const jobs = [write('Kesätyöseteli ysiluokkalaisille', young!.id), write('Kesätyöpaikkoja kaupungilta', young!.id)];
		const hobbies = [write('Harrastukset liian kalliita perheille', families!.id), write('Maksuton harrastus jokaiselle lapselle', families!.id)];
		createCluster(facilitator.doc, jobs, 'Kesätyöt', young!.id);
		// Saved when the stored board holds everything the client has (a count of log rows could be reached early:
		// a client that reconnects sends its whole state again, one more row).
		const vector = (doc: Y.Doc) => Buffer.from(Y.encodeStateVector(doc)).toString('base64');
		await waitFor(async () => vector(await storedBoard(workshop.id)) === vector(facilitator.doc), 'the notes saved');
		const stored = vector(await storedBoard(workshop.id));

		const path = `/workshops/${workshop.id}/board?/suggestGroups`;
		const whole = await postAction(server.url, path, owner.cookie, { lane: '' });
		expect(whole).toMatchObject({ type: 'success', status: 200 });
		const groups = (whole.data!.suggestions as Suggestions).groups;
		// Each lane on its own; the notes already in a group are left out.
		// (the groups as texts in the message: a failure's first line then says what was suggested)
		const texts = readBoard(facilitator.doc).notes;
		const asText = groups.map((group) => group.noteIds.map((id) => texts.find((note) => note.id === id)?.text).join(' + ')).join('; ');
		expect(groups.map((group) => ({ lane: group.lane, notes: new Set(group.noteIds) })), asText).toEqual([
			{ lane: young!.id, notes: new Set(bus) },
			{ lane: families!.id, notes: new Set(hobbies) }
		]);
		expect(groups[0]!.name).toMatch(/^Bussilippu/);

		const oneLane = await postAction(server.url, path, owner.cookie, { lane: families!.id });
		expect((oneLane.data!.suggestions as Suggestions).groups.map((group) => group.lane)).toEqual([families!.id]);

		const unknown = await postAction(server.url, path, owner.cookie, { lane: 'ei-ole' });
		expect(unknown).toMatchObject({ type: 'failure', status: 400, data: { suggestions: { message: 'Valittua näkökulmaa ei ole tässä työpajassa.' } } });

		for (const [who, cookie] of [
			['a guest participant', guest.cookie],
			['a signed-in participant', member.cookie],
			['a signed-in outsider', outsider.cookie],
			['no one signed in', '']
		] as const) {
			const refused = await postAction(server.url, path, cookie, { lane: '' });
			expect(refused.status, who).toBe(403);
			expect(refused.data, who).toBeUndefined();
		}

		// Asking wrote nothing to the board (its stored state, not the log's row count: a compaction may fold the log
		// meanwhile), and nobody received anything.
		expect(vector(await storedBoard(workshop.id))).toBe(stored);
		const received = facilitator.received();
		await synced(facilitator);
		expect(facilitator.received()).toBe(received);
	});
});
