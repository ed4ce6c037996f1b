// Anonymity that holds, and the identity the server knows (issue 15): real WebsocketProvider clients against the
// collab module in-process (HTTP on 127.0.0.1:0, the app's authorisation, SQLite store and live state).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addComment, addNote, createUndoManager, deleteNote, ideasOf, notesOf, promoteToIdea, readBoard } from '../../src/lib/board/model';
import { openBoardStore, privateRoomName } from '../../src/lib/server/collab';
import { db } from '../../src/lib/server/db';
import { participants } from '../../src/lib/server/db/schema';
import { revealPrivateNotes, setPrivateWriting } from '../../src/lib/server/live';
import { createSession } from '../../src/lib/server/session';
import { createWorkshop, getWorkshopDetails, guestTokenLifetimeMs, joinAsUser } from '../../src/lib/server/workshops';
import { startProductionServer, type RunningServer } from '../helpers/server';
import { authorOf, connectBoard, connectLive, startCollabHarness, type CollabHarness, newGuest, newMember, newWorkshop, tryUpgrade, newUser, storedBoard, synced, waitFor, workshopInput, type BoardClient } from '../helpers/collab';

let harness: CollabHarness;
let url: string;
const clients: BoardClient[] = [];

beforeAll(async () => {
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

async function setup(guests: number) {
	const owner = await newUser('Fasilitaattori');
	const workshop = await createWorkshop(workshopInput('Nimettömänä'), owner.id);
	const lane = (await getWorkshopDetails(workshop.id))!.perspectives[0]!.id;
	const people = await Promise.all(Array.from({ length: guests }, (_, i) => newGuest(workshop.id, `Vieras ${i + 1}`)));
	return { owner, workshop, lane, people };
}

/** Document updates a client receives from the server, as they arrive. */
function recordUpdates(client: BoardClient) {
	const updates: Uint8Array[] = [];
	client.doc.on('update', (update: Uint8Array, origin: unknown) => {
		if (origin === client.provider) updates.push(update);
	});
	return updates;
}

/** The keys of the notes map an update sets, in the order their structs were made (client, then clock). */
function noteKeysInStructOrder(update: Uint8Array) {
	return Y.decodeUpdate(update)
		.structs.filter((s): s is Y.Item => s instanceof Y.Item && (s.parent as unknown) === 'notes' && typeof s.parentSub === 'string')
		.sort((a, b) => a.id.client - b.id.client || a.id.clock - b.id.clock)
		.map((s) => s.parentSub!);
}

describe('the anonymous reveal', () => {
	it('puts every note on in one update, in a random order, with no author and one shared time', async () => {
		const { owner, workshop, lane, people } = await setup(8);
		await setPrivateWriting(workshop.id, true, true);
		const watcher = join(workshop.id, owner);
		await synced(watcher);
		const updates = recordUpdates(watcher);
		const writers = people.map((person) => join(privateRoomName(workshop.id, person.id), person));
		await synced(...writers);
		// One note each, written in participant-id order: the order the old reveal sent them in.
		const byId = [...people].sort((a, b) => (a.id < b.id ? -1 : 1));
		for (const person of byId) {
			const writer = writers[people.indexOf(person)]!;
			addNote(writer.doc, { text: `Lappu ${person.name}`, lane, author: { id: person.id, name: person.name } });
			await waitFor(async () => readBoard(await storedBoard(privateRoomName(workshop.id, person.id))).notes.length === 1, `${person.name}'s note saved`);
		}

		const before = Date.now();
		expect((await revealPrivateNotes(workshop.id)).revealed).toBe(8);
		await waitFor(() => readBoard(watcher.doc).notes.length === 8, 'the revealed notes');

		// One message for all of them: nobody can tell whose notes came together.
		expect(updates).toHaveLength(1);
		const notes = readBoard(watcher.doc).notes;
		expect(notes.every((n) => n.authorId === '' && n.authorName === '')).toBe(true);
		// Writing times are gone: every note carries the reveal's time.
		expect(new Set(notes.map((n) => n.createdAt)).size).toBe(1);
		expect(notes[0]!.createdAt).toBeGreaterThanOrEqual(before);
		// The structs' order is not the writers' id order (8! orders: a chance of 1 in 40,320 to match by luck).
		const textByKey = new Map(notes.map((n) => [n.id, n.text]));
		const revealedOrder = noteKeysInStructOrder(updates[0]!).map((key) => textByKey.get(key));
		expect(revealedOrder).toHaveLength(8);
		expect(revealedOrder).not.toEqual(byId.map((person) => `Lappu ${person.name}`));
		// The board's order (by `order`) is not the writing order either.
		const boardOrder = [...notes].sort((a, b) => a.order - b.order).map((n) => n.text);
		expect(new Set(boardOrder).size).toBe(8);
		expect(boardOrder).toEqual(revealedOrder);
	});

	it('skips what is not a note in one private document and reveals everyone else’s', async () => {
		const { owner, workshop, lane, people } = await setup(2);
		const [anna, bertil] = people as [(typeof people)[0], (typeof people)[0]];
		await setPrivateWriting(workshop.id, true, false);
		const watcher = join(workshop.id, owner);
		await synced(watcher);
		const annaWriter = join(privateRoomName(workshop.id, anna.id), anna);
		await synced(annaWriter);
		addNote(annaWriter.doc, { text: 'Annan lappu', lane, author: { id: anna.id, name: anna.name } });
		await waitFor(async () => readBoard(await storedBoard(privateRoomName(workshop.id, anna.id))).notes.length === 1, "Anna's note saved");
		// Bertil's stored private document holds a non-note value beside a real note (an old or misbehaving client).
		const broken = new Y.Doc();
		broken.getMap('notes').set('rikki', 'ei lappu');
		broken.getMap('notes').set('tyhja', new Y.Map());
		addNote(broken, { text: 'Bertilin lappu', lane, author: { id: bertil.id, name: bertil.name } });
		await openBoardStore().append(privateRoomName(workshop.id, bertil.id), [Y.encodeStateAsUpdate(broken)]);

		expect((await revealPrivateNotes(workshop.id)).revealed).toBe(2);
		await waitFor(() => readBoard(watcher.doc).notes.length === 2, 'both real notes revealed');
		const notes = readBoard(watcher.doc).notes;
		expect(notes.map((n) => [n.text, n.authorId, n.authorName]).sort()).toEqual([
			['Annan lappu', anna.id, 'Vieras 1'],
			['Bertilin lappu', bertil.id, 'Vieras 2']
		]);
		// A later reveal works as well (the non-note stays where it was, harmless).
		expect((await revealPrivateNotes(workshop.id)).revealed).toBe(0);
	});
});

describe('private writing', () => {
	it('is hidden from facilitators too: only its writer opens a private room, whoever facilitates', async () => {
		const { owner, workshop, lane, people } = await setup(1);
		const anna = people[0]!;
		await setPrivateWriting(workshop.id, true, true);
		const room = privateRoomName(workshop.id, anna.id);
		const a = join(room, anna);
		await synced(a);
		addNote(a.doc, { text: 'Vain minun', lane, author: authorOf(anna) });
		await waitFor(async () => readBoard(await storedBoard(room)).notes.length === 1, 'the private note saved');
		// The owner, and an owner who also joined as a participant (a participant id of their own), are refused.
		expect((await tryUpgrade(url, room, { cookie: owner.cookie, origin: url })).status).toBe(403);
		await joinAsUser(workshop.id, owner);
		expect((await tryUpgrade(url, room, { cookie: owner.cookie, origin: url })).status).toBe(403);
		const member = await newMember(workshop.id, 'Toinen osallistuja');
		expect((await tryUpgrade(url, room, { cookie: member.cookie, origin: url })).status).toBe(403);
		expect((await tryUpgrade(url, room, { cookie: anna.cookie, origin: url })).opened).toBe(true);
	});
});

describe('presence', () => {
	it('carries the server’s name and role for a connection, never a participant or user id', async () => {
		const { owner, workshop, people } = await setup(2);
		const [anna, bertil] = people as [(typeof people)[0], (typeof people)[0]];
		const a = join(workshop.id, anna);
		const b = join(workshop.id, bertil);
		const f = join(workshop.id, owner);
		await synced(a, b, f);
		for (const c of [a, b, f]) c.provider.awareness.setLocalState({ name: 'Kuka tahansa', colour: '#0b5394', editing: null });
		await waitFor(() => [b, f].every((c) => a.provider.awareness.getStates().get(c.doc.clientID)?.identity), 'everyone’s presence at Anna');
		const seen = JSON.stringify([...a.provider.awareness.getStates().values()]);
		for (const id of [anna.id, bertil.id, owner.id]) expect(seen).not.toContain(id);
		expect(a.provider.awareness.getStates().get(b.doc.clientID)?.identity).toEqual({ name: 'Vieras 2', role: 'participant' });
		expect(a.provider.awareness.getStates().get(f.doc.clientID)?.identity).toEqual({ name: 'Fasilitaattori', role: 'facilitator' });
	});
});

describe('note authors', () => {
	it('are the connection’s own: a note under another id or name, a rewritten author or a non-note is refused', async () => {
		const { owner, workshop, lane, people } = await setup(2);
		const [anna, bertil] = people as [(typeof people)[0], (typeof people)[0]];
		const f = join(workshop.id, owner);
		await synced(f);
		const forgeries: [string, (doc: Y.Doc) => void][] = [
			['another participant’s id', (doc) => void addNote(doc, { text: 'Bertilin nimissä', lane, author: authorOf(bertil) })],
			['her id with another name', (doc) => void addNote(doc, { text: 'Väärä nimi', lane, author: { id: anna.id, name: 'Bertil' } })],
			['no author', (doc) => void addNote(doc, { text: 'Nimetön', lane, author: { id: '', name: '' } })],
			['not a note', (doc) => notesOf(doc).set('rikki', 'ei lappu' as never)]
		];
		for (const [what, forge] of forgeries) {
			const a = join(workshop.id, anna);
			await synced(a);
			forge(a.doc);
			// A non-note in `notes` is already closed (1007) by the board's shape check, before the author check.
			const refused = () => (a.channel.refused.includes('author') && a.closes.includes(4101)) || (what === 'not a note' && a.closes.includes(1007));
			await waitFor(refused, `the refusal of ${what}`);
			a.destroy();
		}
		// Her own note goes through; rewriting its author afterwards does not.
		const a = join(workshop.id, anna);
		await synced(a);
		const own = addNote(a.doc, { text: 'Oma lappu', lane, author: authorOf(anna) });
		await waitFor(() => notesOf(f.doc).has(own), 'her own note');
		notesOf(a.doc).get(own)!.set('authorId', bertil.id);
		await waitFor(() => a.channel.refused.includes('author') && a.closes.includes(4101), 'the refusal of a rewritten author');
		await synced(f);
		expect(readBoard(await storedBoard(workshop.id)).notes.map((n) => [n.text, n.authorId, n.authorName])).toEqual([['Oma lappu', anna.id, 'Vieras 1']]);
		expect(readBoard(f.doc).notes).toHaveLength(1);

		// A facilitator may delete someone's note and take the deletion back (the note returns with its author).
		const undo = createUndoManager(f.doc);
		deleteNote(f.doc, own);
		await waitFor(async () => !notesOf(await storedBoard(workshop.id)).has(own), 'the deletion saved');
		undo.undo();
		await waitFor(async () => notesOf(await storedBoard(workshop.id)).has(own), 'the note restored');
		expect(f.channel.refused).toEqual([]);
		expect(readBoard(await storedBoard(workshop.id)).notes[0]).toMatchObject({ authorId: anna.id, authorName: 'Vieras 1' });
	});

	it('are checked in private rooms too, so a named reveal shows who wrote each note', async () => {
		const { workshop, lane, people } = await setup(2);
		const [anna, bertil] = people as [(typeof people)[0], (typeof people)[0]];
		await setPrivateWriting(workshop.id, true, false);
		const a = join(privateRoomName(workshop.id, anna.id), anna);
		await synced(a);
		addNote(a.doc, { text: 'Bertilin nimissä', lane, author: authorOf(bertil) });
		await waitFor(() => a.channel.refused.includes('author'), 'the refusal');
		expect(readBoard(await storedBoard(privateRoomName(workshop.id, anna.id))).notes).toEqual([]);
	});
});

describe('comment authors', () => {
	it('are the connection’s own: a comment under another id and name is stored and sent under the writer’s identity', async () => {
		const { owner, workshop, lane, people } = await setup(2);
		const [anna, bertil] = people as [(typeof people)[0], (typeof people)[0]];
		const f = join(workshop.id, owner);
		const a = join(workshop.id, anna);
		const b = join(workshop.id, bertil);
		await synced(f, a, b);
		const idea = promoteToIdea(f.doc, { kind: 'note', id: 'n1' }, 'Kokeilu', lane);
		await waitFor(() => ideasOf(a.doc).has(idea) && ideasOf(b.doc).has(idea), 'the idea on every board');
		const commentsIn = (doc: Y.Doc) => readBoard(doc).ideas.find((i) => i.id === idea)?.comments.map((c) => [c.text, c.authorId, c.authorName]) ?? [];

		addComment(a.doc, idea, { id: bertil.id, name: 'Bertil' }, 'Bertilin nimissä');
		addComment(a.doc, idea, authorOf(anna), 'Oma kommentti');
		// Two at once in one insert, one without an author at all; and a facilitator claiming to be a guest.
		(ideasOf(a.doc).get(idea)!.get('comments') as Y.Array<Record<string, unknown>>).push([
			{ id: 'k1', authorId: 'x', authorName: 'Joku', text: 'Eka', at: 1 },
			{ id: 'k2', text: 'Toka', at: 2 }
		]);
		await waitFor(() => commentsIn(b.doc).length === 4, 'anna’s comments at bertil');
		addComment(f.doc, idea, authorOf(anna), 'Fasilitaattorin');
		await waitFor(() => commentsIn(b.doc).length === 5, 'the facilitator’s comment at bertil');

		const expected = [
			['Bertilin nimissä', anna.id, 'Vieras 1'],
			['Oma kommentti', anna.id, 'Vieras 1'],
			['Eka', anna.id, 'Vieras 1'],
			['Toka', anna.id, 'Vieras 1'],
			['Fasilitaattorin', `user:${owner.id}`, 'Fasilitaattori']
		];
		const sorted = (rows: unknown[][]) => [...rows].sort((x, y) => String(x[0]).localeCompare(String(y[0])));
		expect(sorted(commentsIn(b.doc))).toEqual(sorted(expected));
		await waitFor(() => commentsIn(f.doc).length === 5, 'every comment at the facilitator');
		expect(sorted(commentsIn(f.doc).filter((c) => c[0] !== 'Fasilitaattorin'))).toEqual(sorted(expected.filter((c) => c[0] !== 'Fasilitaattorin')));
		await waitFor(async () => readBoard(await storedBoard(workshop.id)).ideas[0]?.comments.length === 5, 'every comment saved');
		expect(sorted(readBoard(await storedBoard(workshop.id)).ideas[0]!.comments.map((c) => [c.text, c.authorId, c.authorName]))).toEqual(sorted(expected));
		// Nobody was refused or closed for it; the boards still agree on everything else.
		expect([...a.closes, ...b.closes, ...f.closes]).toEqual([]);
		expect([...a.channel.refused, ...f.channel.refused]).toEqual([]);
		expect(readBoard(await storedBoard(workshop.id)).ideas[0]!.title.toString()).toBe('Kokeilu');
	});
});

describe('signing out (the production server)', () => {
	let production: RunningServer | undefined;
	beforeAll(async () => {
		production = await startProductionServer({ env: { DATABASE_PATH: process.env.DATABASE_PATH! } });
	});
	afterAll(async () => {
		await production?.stop();
	});

	it('closes the boards the session had open at once (4403), not at the next periodic check a minute later', async () => {
		const { url: httpUrl } = production!;
		const owner = await newUser('Uloskirjautuja');
		const workshop = await newWorkshop(owner.id);
		const guest = await newGuest(workshop.id, 'Jää paikalle');
		const mine = connectBoard(httpUrl, workshop.id, { cookie: owner.cookie, name: 'mine' });
		const theirs = connectBoard(httpUrl, workshop.id, { cookie: guest.cookie, name: 'theirs' });
		clients.push(mine, theirs);
		await synced(mine, theirs);
		const response = await fetch(`${httpUrl}/sign-out`, {
			method: 'POST',
			headers: { cookie: owner.cookie, origin: httpUrl, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
			body: '',
			redirect: 'manual'
		});
		expect(response.status, (await response.clone().text()).slice(0, 400)).toBe(303);
		await waitFor(() => mine.closes.includes(4403), 'the signed-out board closed', 5000);
		expect(theirs.closes).toEqual([]);
	});

	it('closes a person’s boards at once when all their sessions end (a password change), others stay', async () => {
		const { url: httpUrl } = production!;
		const owner = await newUser('Salasananvaihtaja');
		const workshop = await newWorkshop(owner.id);
		const guest = await newGuest(workshop.id, 'Jää paikalle');
		// Two sessions of the same person (a laptop and a phone): both end.
		const laptop = connectBoard(httpUrl, workshop.id, { cookie: owner.cookie, name: 'laptop' });
		const phone = connectBoard(httpUrl, workshop.id, { cookie: `verstas_session=${(await createSession(owner.id)).token}`, name: 'phone' });
		const theirs = connectBoard(httpUrl, workshop.id, { cookie: guest.cookie, name: 'theirs' });
		clients.push(laptop, phone, theirs);
		await synced(laptop, phone, theirs);
		const response = await fetch(`${httpUrl}/profile?/changePassword`, {
			method: 'POST',
			headers: { cookie: owner.cookie, origin: httpUrl, 'x-sveltekit-action': 'true', 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ currentPassword: 'salasana-123', newPassword: 'Vihreä kettu hyppää aidan yli 94' })
		});
		expect(await response.json()).toMatchObject({ type: 'success' });
		// The periodic check would take up to a minute.
		await waitFor(() => laptop.closes.includes(4403) && phone.closes.includes(4403), 'both of the person’s boards closed', 5000);
		expect(theirs.closes).toEqual([]);
	});

	it('closes a guest’s board the moment their guest token expires (4403), not at the next periodic check', async () => {
		const { url: httpUrl } = production!;
		const owner = await newUser('Fasilitaattori');
		const workshop = await newWorkshop(owner.id);
		const leaving = await newGuest(workshop.id, 'Vanheneva');
		const staying = await newGuest(workshop.id, 'Tuore');
		// Joined 30 days ago less 1.5 s: the token expires 1.5 s from now.
		const expiresAt = Date.now() + 1500;
		await db.update(participants).set({ joinedAt: new Date(expiresAt - guestTokenLifetimeMs) }).where(eq(participants.id, leaving.id));
		const mine = connectBoard(httpUrl, workshop.id, { cookie: leaving.cookie, name: 'mine' });
		const theirs = connectBoard(httpUrl, workshop.id, { cookie: staying.cookie, name: 'theirs' });
		clients.push(mine, theirs);
		await synced(mine, theirs);
		expect(mine.closes).toEqual([]);
		await waitFor(() => mine.closes.includes(4403), 'the expired guest’s board closed', 6000);
		expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
		expect(theirs.closes).toEqual([]);
	});
});
