/**
 * The ticked notes, as a small reactive set: each change makes a new Set, so reading `has`, `size` or iterating
 * follows it. (svelte/reactivity's SvelteSet does the same with more code than a phone's first download needs.)
 */
export class Selection {
	#ids = $state.raw<ReadonlySet<string>>(new Set());

	get size() {
		return this.#ids.size;
	}

	has(id: string) {
		return this.#ids.has(id);
	}

	add(id: string) {
		if (!this.#ids.has(id)) this.#ids = new Set([...this.#ids, id]);
	}

	delete(id: string) {
		if (!this.#ids.has(id)) return;
		const next = new Set(this.#ids);
		next.delete(id);
		this.#ids = next;
	}

	clear() {
		if (this.#ids.size) this.#ids = new Set();
	}

	[Symbol.iterator]() {
		return this.#ids[Symbol.iterator]();
	}
}
