// Idea-card comments are plain objects in an idea's `comments` array (board/model.ts addComment) carrying their
// author, written by the client. The server stores and sends them with the connection's own identity instead: the
// update is re-encoded with the comments' authorId and authorName replaced (same items, same ids and lengths, so it
// applies everywhere as before). The writer's own document keeps what it wrote; everyone else, and every later load,
// sees the server's identity. Which items are comments comes from judgeUpdate (board-limits.ts), which has already
// placed every item of the update.
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { findInUpdate, itemsByClient, type ItemId } from './update-items';

export type CommentAuthor = { id: string; name: string };

const isComment = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

/**
 * The update with every comment in the given items (`commentItems`: array elements the update inserts) under
 * `author`; the same bytes when they all are already.
 */
export function withCommentAuthor(update: Uint8Array, commentItems: readonly ItemId[], author: CommentAuthor): Uint8Array {
	if (commentItems.length === 0) return update;
	const { structs, ds } = Y.decodeUpdate(update);
	const items = itemsByClient(structs);
	let changed = false;
	for (const id of commentItems) {
		const item = findInUpdate(items, id);
		if (!item || !(item.content instanceof Y.ContentAny)) continue;
		item.content.arr = item.content.arr.map((value) => {
			if (!isComment(value) || (value.authorId === author.id && value.authorName === author.name)) return value;
			changed = true;
			return { ...value, authorId: author.id, authorName: author.name };
		});
	}
	return changed ? encodeStructs(structs, ds) : update;
}

/** Writes decoded structs and delete set back in Yjs's update format (v1), as Yjs's own writeStructs does. */
function encodeStructs(structs: readonly (Y.Item | Y.GC | Y.Skip)[], ds: { clients: Map<number, { clock: number; len: number }[]> }) {
	const encoder = new Y.UpdateEncoderV1();
	const byClient = new Map<number, (Y.Item | Y.GC | Y.Skip)[]>();
	for (const struct of structs) {
		const list = byClient.get(struct.id.client) ?? [];
		list.push(struct);
		byClient.set(struct.id.client, list);
	}
	encoding.writeVarUint(encoder.restEncoder, byClient.size);
	for (const [client, list] of [...byClient].sort((a, b) => b[0] - a[0])) {
		encoding.writeVarUint(encoder.restEncoder, list.length);
		encoder.writeClient(client);
		encoding.writeVarUint(encoder.restEncoder, list[0]!.id.clock);
		for (const struct of list) struct.write(encoder, 0);
	}
	encoding.writeVarUint(encoder.restEncoder, ds.clients.size);
	for (const [client, ranges] of [...ds.clients].sort((a, b) => b[0] - a[0])) {
		encoder.resetDsCurVal();
		encoding.writeVarUint(encoder.restEncoder, client);
		encoding.writeVarUint(encoder.restEncoder, ranges.length);
		for (const range of ranges) {
			encoder.writeDsClock(range.clock);
			encoder.writeDsLen(range.len);
		}
	}
	return encoder.toUint8Array();
}
