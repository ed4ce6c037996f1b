// The room over an asynchronous store (PostgreSQL answers over the network): a store whose appends wait until the
// test lets them through, wrapping the app's SQLite store. Updates sent while an append is in flight are saved after
// it, in order, in one append; nobody receives (or syncs) a change before it is stored; a shutdown waits for the save.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, notesOf } from '../../src/lib/board/model';
import { openBoardStore, type BoardStore } from '../../src/lib/server/collab';
import {
	authorOf,
	connectBoard,
	newGuest,
	newUser,
	newWorkshop,
	startCollabHarness,
	storedBoard,
	synced,
	tryUpgrade,
	waitFor,
	type BoardClient,
	type CollabHarness
} from '../helpers/collab';

/** The database's store with appends held at a gate while it is closed; what each append stored, and when. */
function gatedStore() {
	const inner = openBoardStore();
	const stored = new Y.Doc();
	let gate: { promise: Promise<void>; open: () => void } | null = null;
	const state = { appends: 0, inFlight: 0, mostInFlight: 0 };
	const store: BoardStore = {
		load: (name) => inner.load(name),
		compact: (name, snapshot, upToId, mergeStored) => inner.compact(name, snapshot, upToId, mergeStored),
		privateRooms: (workshopId) => inner.privateRooms!(workshopId),
		async append(name, updates) {
			state.appends++;
			state.mostInFlight = Math.max(state.mostInFlight, ++state.inFlight);
			try {
				if (gate) await gate.promise;
				const id = await inner.append(name, updates);
				for (const update of updates) Y.applyUpdate(stored, update);
				return id;
			} finally {
				state.inFlight--;
			}
		}
	};
	return {
		store,
		state,
		/** note ids whose append has completed */
		storedNotes: () => new Set(notesOf(stored).keys()),
		close() {
			let open!: () => void;
			const promise = new Promise<void>((resolve) => (open = resolve));
			gate = { promise, open };
		},
		open() {
			gate?.open();
			gate = null;
		}
	};
}

const clients: BoardClient[] = [];
const harnesses: CollabHarness[] = [];
const gates: ReturnType<typeof gatedStore>[] = [];

afterEach(() => {
	for (const client of clients.splice(0)) client.destroy();
});

afterAll(async () => {
	for (const gated of gates) gated.open();
	for (const harness of harnesses) await harness.close();
});

/** Every note a client holds must already be stored: checked at each change it receives from the server. */
function watchReceived(client: BoardClient, storedNotes: () => Set<string>) {
	const seen: string[] = [];
	const unstored: string[] = [];
	client.doc.on('update', (_update: Uint8Array, origin: unknown) => {
		if (origin !== client.provider) return;
		const stored = storedNotes();
		for (const id of notesOf(client.doc).keys()) {
			if (!seen.includes(id)) seen.push(id);
			if (!stored.has(id) && !unstored.includes(id)) unstored.push(id);
		}
	});
	return { seen, unstored };
}

describe('a room over a slow store', () => {
	it('saves updates sent during a pending append after it, in order, and delivers nothing before it is stored', async () => {
		const gated = gatedStore();
		gates.push(gated);
		const harness = await startCollabHarness({ store: gated.store });
		harnesses.push(harness);
		const owner = await newUser('Hidas');
		const workshop = await newWorkshop(owner.id);
		const reader = await newGuest(workshop.id, 'Lukija');
		const writer = connectBoard(harness.url, workshop.id, { cookie: owner.cookie, name: 'writer' });
		const watcher = connectBoard(harness.url, workshop.id, { cookie: reader.cookie, name: 'watcher' });
		clients.push(writer, watcher);
		await synced(writer, watcher);
		const watched = watchReceived(watcher, gated.storedNotes);

		gated.close();
		addNote(writer.doc, { text: 'Ensimmäinen', lane: 'a', author: authorOf(owner), id: 'n1' });
		await waitFor(() => gated.state.appends === 1, 'the first append to start');
		// Sent while the first append is in flight: they wait for it (the room has them, unsaved).
		addNote(writer.doc, { text: 'Toinen', lane: 'a', author: authorOf(owner), id: 'n2' });
		addNote(writer.doc, { text: 'Kolmas', lane: 'a', author: authorOf(owner), id: 'n3' });
		await waitFor(() => harness.collab.stats().rooms.some((room) => room.pendingUpdates >= 2), 'the later updates to reach the room');
		// Someone joining now is answered from what is stored, i.e. once the append is done.
		const late = connectBoard(harness.url, workshop.id, { cookie: (await newGuest(workshop.id, 'Myöhässä')).cookie, name: 'late' });
		clients.push(late);
		const lateWatched = watchReceived(late, gated.storedNotes);
		await waitFor(() => harness.collab.stats().sockets === 3, 'the late joiner to connect');

		expect(gated.state.appends, 'one append in flight, the next batch waits').toBe(1);
		expect(notesOf(watcher.doc).size).toBe(0);
		expect(late.provider.synced).toBe(false);
		expect(notesOf(late.doc).size).toBe(0);

		gated.open();
		await synced(late);
		await waitFor(() => notesOf(watcher.doc).size === 3 && notesOf(late.doc).size === 3, 'everyone to have the three notes');
		expect(watched.seen).toEqual(['n1', 'n2', 'n3']);
		expect(watched.unstored, 'notes received before they were stored').toEqual([]);
		expect(lateWatched.unstored, 'notes received before they were stored').toEqual([]);
		// The two sent meanwhile went in one append after the first, never beside it.
		expect(gated.state.appends).toBe(2);
		expect(gated.state.mostInFlight).toBe(1);
		expect([...notesOf(await storedBoard(workshop.id)).keys()].sort()).toEqual(['n1', 'n2', 'n3']);
	});

	it('a shutdown waits for the append in flight: nothing acknowledged is lost', async () => {
		const gated = gatedStore();
		gates.push(gated);
		const harness = await startCollabHarness({ store: gated.store });
		const owner = await newUser('Sulkija');
		const workshop = await newWorkshop(owner.id);
		const writer = connectBoard(harness.url, workshop.id, { cookie: owner.cookie, name: 'writer' });
		clients.push(writer);
		await synced(writer);

		gated.close();
		addNote(writer.doc, { text: 'Viimeinen', lane: 'a', author: authorOf(owner), id: 'last' });
		await waitFor(() => gated.state.appends === 1, 'the append to start');
		let closed = false;
		const closing = harness.close().then(() => (closed = true));
		// The shutdown has begun (new connections are refused) but waits for the save: the connection stays open.
		expect((await tryUpgrade(harness.url, workshop.id, { origin: harness.url, cookie: owner.cookie })).status).toBe(503);
		expect(closed).toBe(false);
		expect(writer.closes).toEqual([]);
		expect(gated.storedNotes().has('last')).toBe(false);
		gated.open();
		await closing;
		expect(writer.closes).toEqual([1012]);
		expect(notesOf(await storedBoard(workshop.id)).has('last')).toBe(true);
	});
});
