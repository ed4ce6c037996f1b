// The live cockpit on the wire: real WebsocketProvider clients against the collab module in-process (HTTP on
// 127.0.0.1:0, the app's authorisation, store and live state). Lock, phases and private writing are enforced
// by the server; type 100 carries the live state, type 101 says why an update was dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, editText, ideaText, promoteToIdea, readBoard } from '../../src/lib/board/model';
import { privateRoomName } from '../../src/lib/server/collab';
import {
	focusEveryone,
	getLiveState,
	revealPrivateNotes,
	setLocked,
	setPhase,
	setPrivateWriting,
	startTimer
} from '../../src/lib/server/live';
import { createWorkshop, getWorkshopDetails, setParticipantRole } from '../../src/lib/server/workshops';
import {
	authorOf,
	connectLive,
	loggedUpdates,
	newGuest,
	newMember,
	newUser,
	sleep,
	startCollabHarness,
	storedBoard,
	synced,
	tryUpgrade,
	waitFor,
	workshopInput,
	type BoardClient,
	type CollabHarness
} from '../helpers/collab';

let harness: CollabHarness;
let url: string;
const clients: BoardClient[] = [];

beforeAll(async () => {
	// y-websocket adds a process 'exit' listener per provider.
	process.setMaxListeners(100);
	harness = await startCollabHarness({ awarenessIntervalMs: 20 });
	url = harness.url;
});

afterAll(async () => {
	for (const c of clients) c.destroy();
	await harness.close();
});

function join(room: string, person: { cookie: string; name: string }) {
	const c = connectLive(url, room, { cookie: person.cookie, name: person.name });
	clients.push(c);
	return c;
}

function leave(c: BoardClient) {
	c.destroy();
}

async function setup(phases: { kind: 'ideas' | 'voting' | 'canvas'; title: string; durationMinutes: number }[] = []) {
	const owner = await newUser('Fasilitaattori');
	const workshop = await createWorkshop({ ...workshopInput('Livenä'), phases }, owner.id);
	const lane = (await getWorkshopDetails(workshop.id))!.perspectives[0]!.id;
	const phaseIds = (await getWorkshopDetails(workshop.id))!.phases.map((p) => p.id);
	const anna = await newGuest(workshop.id, 'Anna');
	const bertil = await newMember(workshop.id, 'Bertil');
	return { owner, workshop, lane, phaseIds, anna, bertil };
}

const noteTexts = (doc: Y.Doc) => readBoard(doc).notes.map((n) => n.text).sort();

describe('live cockpit over the collab server', () => {
	it('a locked board drops a participant’s update (not stored, not seen) with 101 locked; the facilitator still writes', async () => {
		const { owner, workshop, lane, anna, bertil } = await setup();
		const facilitator = join(workshop.id, owner);
		const a = join(workshop.id, anna);
		const b = join(workshop.id, bertil);
		await synced(facilitator, a, b);
		addNote(a.doc, { text: 'Ennen lukitusta', lane, author: { id: anna.id, name: anna.name } });
		await waitFor(() => noteTexts(b.doc).length === 1, 'the note before the lock');

		await setLocked(workshop.id, true);
		await waitFor(() => [a, b, facilitator].every((c) => c.channel.live.at(-1)?.state.locked === true), 'everyone to see the lock');
		const logged = await loggedUpdates(workshop.id);
		addNote(a.doc, { text: 'Lukittuna', lane, author: { id: anna.id, name: anna.name } });
		await waitFor(() => a.channel.refused.includes('locked'), 'the 101 locked');
		await waitFor(() => a.closes.includes(4101), 'the 4101 close');
		addNote(facilitator.doc, { text: 'Fasilitaattorin', lane, author: authorOf(owner) });
		await waitFor(() => noteTexts(b.doc).includes('Fasilitaattorin'), 'the facilitator’s note');
		await sleep(200);
		expect(noteTexts(b.doc)).toEqual(['Ennen lukitusta', 'Fasilitaattorin']);
		expect(noteTexts(facilitator.doc)).toEqual(['Ennen lukitusta', 'Fasilitaattorin']);
		expect(noteTexts(await storedBoard(workshop.id))).toEqual(['Ennen lukitusta', 'Fasilitaattorin']);
		expect(await loggedUpdates(workshop.id)).toBe(logged + 1);

		// A fresh document (what the board page makes after a refusal) gets the true board and the lock.
		leave(a);
		const again = join(workshop.id, anna);
		await synced(again);
		await waitFor(() => noteTexts(again.doc).length === 2, 'the true board');
		expect(again.channel.live[0]?.state.locked).toBe(true);
		await setLocked(workshop.id, false);
		await waitFor(() => again.channel.live.at(-1)?.state.locked === false, 'the unlock');
		addNote(again.doc, { text: 'Avattu', lane, author: { id: anna.id, name: anna.name } });
		await waitFor(() => noteTexts(b.doc).includes('Avattu'), 'a note after the unlock');
		expect(again.channel.refused).toEqual([]);
	});

	it('an observer’s update is dropped with permission-denied and 101 observer; the connection stays', async () => {
		const { owner, workshop, lane, anna } = await setup();
		expect(await setParticipantRole(workshop.id, anna.id, 'observer')).toBe(true);
		const facilitator = join(workshop.id, owner);
		const observer = join(workshop.id, anna);
		await synced(facilitator, observer);
		addNote(observer.doc, { text: 'Tarkkailijan', lane, author: { id: anna.id, name: anna.name } });
		await waitFor(() => observer.channel.refused.includes('observer'), 'the 101 observer');
		await sleep(150);
		expect(observer.closes).toEqual([]);
		expect(noteTexts(facilitator.doc)).toEqual([]);
		expect(await loggedUpdates(workshop.id)).toBe(0);
	});

	it('voting refuses a participant’s new note; canvas allows idea texts but not new notes', async () => {
		const { owner, workshop, lane, phaseIds, anna, bertil } = await setup([
			{ kind: 'voting', title: 'Äänestys', durationMinutes: 5 },
			{ kind: 'canvas', title: 'Kanvaasi', durationMinutes: 20 }
		]);
		const facilitator = join(workshop.id, owner);
		const b = join(workshop.id, bertil);
		await synced(facilitator, b);
		const ideaId = promoteToIdea(facilitator.doc, { kind: 'note', id: 'x' }, 'Idea', lane);
		await waitFor(() => readBoard(b.doc).ideas.length === 1, 'the idea');

		await setPhase(workshop.id, phaseIds[0]!);
		const voter = join(workshop.id, anna);
		await synced(voter);
		await waitFor(() => voter.channel.live.length > 0, 'the live state');
		addNote(voter.doc, { text: 'Äänestyksen aikana', lane, author: { id: anna.id, name: anna.name } });
		await waitFor(() => voter.channel.refused.includes('phase'), 'the 101 phase');
		leave(voter);

		await setPhase(workshop.id, phaseIds[1]!);
		const writer = join(workshop.id, anna);
		await synced(writer);
		await waitFor(() => writer.channel.live.at(-1)?.state.phaseId === phaseIds[1], 'the canvas phase');
		await waitFor(() => !!ideaText(writer.doc, ideaId, 'problem'), 'the idea on the writer’s board');
		editText(ideaText(writer.doc, ideaId, 'problem')!, { index: 0, remove: 0, insert: 'Nuoret eivät löydä' });
		await waitFor(() => ideaText(b.doc, ideaId, 'problem')?.toString() === 'Nuoret eivät löydä', 'the canvas edit');
		expect(writer.channel.refused).toEqual([]);
		addNote(writer.doc, { text: 'Kanvaasin aikana', lane, author: { id: anna.id, name: anna.name } });
		await waitFor(() => writer.channel.refused.includes('phase'), 'the 101 phase in canvas');
		await sleep(150);
		expect(noteTexts(b.doc)).toEqual([]);
		expect(noteTexts(await storedBoard(workshop.id))).toEqual([]);
	});

	it('private writing: hidden from others and from facilitators (403 on another’s room), revealed onto the board', async () => {
		const { owner, workshop, lane, anna, bertil } = await setup();
		await setPrivateWriting(workshop.id, true, false);
		const annaRoom = privateRoomName(workshop.id, anna.id);
		const facilitator = join(workshop.id, owner);
		const b = join(workshop.id, bertil);
		const aPrivate = join(annaRoom, anna);
		await synced(facilitator, b, aPrivate);
		expect(aPrivate.channel.live[0]?.state.privateWriting).toBe(true);

		for (const text of ['Salainen 1', 'Salainen 2']) addNote(aPrivate.doc, { text, lane, author: { id: anna.id, name: anna.name } });
		// Saved in the private tables, not in the board's.
		await waitFor(async () => noteTexts(await storedBoard(annaRoom)).length === 2, 'the private notes saved');
		expect(await loggedUpdates(workshop.id)).toBe(0);

		// Another participant cannot open it, nor can the facilitator; no cookie: 401.
		expect((await tryUpgrade(url, annaRoom, { cookie: bertil.cookie, origin: url })).status).toBe(403);
		expect((await tryUpgrade(url, annaRoom, { origin: url })).status).toBe(401);
		expect((await tryUpgrade(url, privateRoomName(workshop.id, bertil.participantId), { cookie: anna.cookie, origin: url })).status).toBe(403);
		expect((await tryUpgrade(url, annaRoom, { cookie: owner.cookie, origin: url })).status).toBe(403);

		// Writing on the shared board is refused while private writing is on.
		const aShared = join(workshop.id, anna);
		await synced(aShared);
		addNote(aShared.doc, { text: 'Julkinen', lane, author: { id: anna.id, name: anna.name } });
		await waitFor(() => aShared.channel.refused.includes('private'), 'the 101 private');
		leave(aShared);

		await sleep(150);
		expect(noteTexts(b.doc)).toEqual([]);
		expect(noteTexts(facilitator.doc)).toEqual([]);

		const { revealed, state } = await revealPrivateNotes(workshop.id);
		expect(revealed).toBe(2);
		expect(state).toMatchObject({ privateWriting: false, revealSeq: 1 });
		// The state announcing the reveal comes after the notes, on the same socket.
		await waitFor(() => b.channel.live.at(-1)?.state.revealSeq === 1, 'the reveal announced');
		expect(b.channel.live.filter((m) => m.state.revealSeq === 1)).toHaveLength(1);
		expect(noteTexts(b.doc)).toEqual(['Salainen 1', 'Salainen 2']);
		expect(readBoard(b.doc).notes.every((n) => n.authorName === 'Anna' && n.authorId === anna.id)).toBe(true);
		expect(noteTexts(await storedBoard(workshop.id))).toEqual(['Salainen 1', 'Salainen 2']);
		await waitFor(() => noteTexts(aPrivate.doc).length === 0, 'the private document emptied');
		expect(noteTexts(await storedBoard(annaRoom))).toEqual([]);

		// With private writing off, the private document takes no new notes.
		addNote(aPrivate.doc, { text: 'Myöhässä', lane, author: { id: anna.id, name: anna.name } });
		await waitFor(() => aPrivate.channel.refused.includes('private'), 'the 101 private in the private room');
		leave(aPrivate);

		// An anonymous round: the authors are blanked.
		await setPrivateWriting(workshop.id, true, true);
		const round2 = join(annaRoom, anna);
		await synced(round2);
		await waitFor(() => round2.channel.live.length > 0 && noteTexts(round2.doc).length === 0, 'a clean private document');
		addNote(round2.doc, { text: 'Nimetön', lane, author: { id: anna.id, name: anna.name } });
		await waitFor(async () => noteTexts(await storedBoard(annaRoom)).length === 1, 'the second private note saved');
		leave(round2);
		await sleep(300); // the private room unloads: the reveal loads it from the database
		expect((await revealPrivateNotes(workshop.id)).revealed).toBe(1);
		await waitFor(() => noteTexts(b.doc).includes('Nimetön'), 'the anonymous note');
		const anonymous = readBoard(b.doc).notes.find((n) => n.text === 'Nimetön')!;
		expect(anonymous).toMatchObject({ authorId: '', authorName: '' });
		// The revealed note leaves the private document (its save may still be under way when the board has it).
		await waitFor(async () => noteTexts(await storedBoard(annaRoom)).length === 0, 'the private document emptied');
		expect(await getLiveState(workshop.id)).toMatchObject({ privateWriting: false, revealSeq: 2 });
	});

	it('a late joiner gets the current phase and a timer consistent with serverNow; changes and focus reach everyone', async () => {
		const { owner, workshop, phaseIds, anna } = await setup([{ kind: 'ideas', title: 'Ideointi', durationMinutes: 15 }]);
		const facilitator = join(workshop.id, owner);
		await synced(facilitator);
		await setPhase(workshop.id, phaseIds[0]!);
		const started = await startTimer(workshop.id);
		await sleep(300);

		const late = join(workshop.id, anna);
		await synced(late);
		await waitFor(() => late.channel.live.length > 0, 'the live state');
		const { state, serverNow } = late.channel.live[0]!;
		expect(state.phaseId).toBe(phaseIds[0]);
		expect(state.timer.running).toBe(true);
		expect(state.timer.endsAt).toBe(started.timer.endsAt);
		expect(state.timer.durationMs).toBe(15 * 60_000);
		expect(state.timer.remainingMs).toBe(state.timer.endsAt! - serverNow);
		expect(state.timer.remainingMs).toBeLessThanOrEqual(15 * 60_000 - 300);
		expect(state.timer.remainingMs).toBeGreaterThan(15 * 60_000 - 5_000);

		const focus = await focusEveryone(workshop.id, { kind: 'lane', id: 'x' });
		await waitFor(() => late.channel.live.at(-1)?.state.focus?.seq === focus.focus!.seq, 'the focus');
		await waitFor(() => facilitator.channel.live.at(-1)?.state.focus?.id === 'x', 'the focus to the facilitator');
	});
});
