// Who is on the board is shown by the name the server stamped on each awareness state (collab/room.ts), never by the
// name a client claims for itself.
import { describe, expect, it } from 'vitest';
import { peersOf } from '../../src/lib/board/client.svelte';

describe('peersOf', () => {
	it('names others by the server’s identity and leaves out states the server did not stamp', () => {
		const states = new Map<number, Record<string, unknown>>([
			[1, { name: 'Minä', colour: '#0b5394', editing: null }],
			[2, { name: 'Fasilitaattori', colour: '#8a1c4a', editing: null, identity: { name: 'Vieras Ville', role: 'participant' } }],
			[3, { name: 'Kuka tahansa', colour: '#1e5e2a', editing: null }]
		]);
		expect(peersOf(states, 1).map((peer) => [peer.name, peer.isMe])).toEqual([
			['Minä', true],
			['Vieras Ville', false]
		]);
	});
});
