// Dragging notes and clusters on the board with a mouse, a finger or a pen (Pointer Events, no library).
// A note goes to another lane, onto another note (the two make a cluster), into or out of a cluster, or between two
// notes (a new place in the list); a cluster goes to another lane with its notes. Every drop is one Yjs transaction
// and one undo step, announced like the same move made from the note's menu (the keyboard's equal path).
import type { BoardClient } from '$lib/board/client.svelte';
import { dropCluster, dropNote, type NoteDrop } from '$lib/board/arrange';
import { m } from '$lib/paraglide/messages.js';

export type DragItem = { kind: 'note' | 'cluster'; id: string };
export type DropTarget = NoteDrop & { element: HTMLElement };

/** Elements that take a drop carry `data-drop` ("lane", "note", "cluster") and the matching id attribute. */
function targetAt(x: number, y: number, item: DragItem): DropTarget | null {
	const hit = document.elementFromPoint(x, y)?.closest<HTMLElement>('[data-drop]');
	if (!hit) return null;
	const kind = hit.dataset.drop;
	if (kind === 'note') {
		const id = hit.dataset.noteId!;
		if (item.kind === 'cluster' || id === item.id) return null;
		// The middle of a note makes a cluster with it; its top and bottom edges place the dragged note beside it.
		const box = hit.getBoundingClientRect();
		const at = (y - box.top) / box.height;
		if (at < 0.25) return { kind: 'before', noteId: id, element: hit };
		if (at > 0.75) return { kind: 'after', noteId: id, element: hit };
		return { kind: 'onto', noteId: id, element: hit };
	}
	if (kind === 'cluster') {
		if (item.kind === 'cluster') return null;
		return { kind: 'cluster', clusterId: hit.dataset.clusterId!, element: hit };
	}
	if (kind === 'lane') return { kind: 'lane', lane: hit.dataset.laneId!, element: hit };
	return null;
}

const sameTarget = (a: DropTarget | null, b: DropTarget | null) =>
	a === b || (!!a && !!b && a.kind === b.kind && a.element === b.element);

export type Drag = ReturnType<typeof createDrag>;

export function createDrag(options: {
	client: BoardClient;
	laneTitle: (laneId: string) => string;
	feedback: (text: string) => void;
}) {
	let item = $state<DragItem | null>(null);
	let target = $state.raw<DropTarget | null>(null);
	let ghost: HTMLElement | null = null;
	let source: HTMLElement | null = null;
	let scrollFrame = 0;
	let pointer = { x: 0, y: 0 };

	function place() {
		if (!ghost) return;
		ghost.style.transform = `translate(${pointer.x + 12}px, ${pointer.y + 8}px)`;
	}

	// Near the window's top or bottom edge the page scrolls; near a lane row's side edges the lanes scroll.
	function autoScroll() {
		const edge = 48;
		const { x, y } = pointer;
		if (y < edge) window.scrollBy(0, -12);
		else if (y > window.innerHeight - edge) window.scrollBy(0, 12);
		const lanes = document.querySelector<HTMLElement>('.lanes');
		if (lanes) {
			const box = lanes.getBoundingClientRect();
			if (y > box.top && y < box.bottom) {
				if (x < box.left + edge) lanes.scrollLeft -= 12;
				else if (x > box.right - edge) lanes.scrollLeft += 12;
			}
		}
		scrollFrame = requestAnimationFrame(autoScroll);
	}

	// Text selection while dragging is not what the person meant.
	const noSelecting = (event: Event) => event.preventDefault();

	function begin(dragged: DragItem, element: HTMLElement, pointerId: number) {
		item = dragged;
		source = element;
		source.classList.add('drag-source');
		ghost = element.cloneNode(true) as HTMLElement;
		ghost.removeAttribute('id');
		for (const child of ghost.querySelectorAll('[id]')) child.removeAttribute('id');
		ghost.classList.add('drag-ghost');
		ghost.setAttribute('aria-hidden', 'true');
		ghost.style.width = `${element.getBoundingClientRect().width}px`;
		document.body.append(ghost);
		// Text selected by the first pixels of the drag is not what the person meant. Only a real selection is cleared:
		// clearing the caret of a focused composer scrolled a phone's page to it (276 px in B11) under the finger.
		const selection = window.getSelection();
		if (selection && !selection.isCollapsed) selection.removeAllRanges();
		// The dragged element holds the pointer, so its grabbing cursor shows everywhere. A class on <html> did the same
		// but restyled every note of the lane at each drag's start and end (1,558 elements, 90 ms on a throttled phone).
		element.setPointerCapture(pointerId);
		document.addEventListener('selectstart', noSelecting);
		place();
		scrollFrame = requestAnimationFrame(autoScroll);
	}

	function end() {
		cancelAnimationFrame(scrollFrame);
		ghost?.remove();
		source?.classList.remove('drag-source');
		document.removeEventListener('selectstart', noSelecting);
		target?.element.classList.remove('drop-target', 'drop-before', 'drop-after');
		ghost = source = null;
		item = null;
		target = null;
	}

	function aim(next: DropTarget | null) {
		if (sameTarget(next, target)) return;
		target?.element.classList.remove('drop-target', 'drop-before', 'drop-after');
		target = next;
		next?.element.classList.add(next.kind === 'before' ? 'drop-before' : next.kind === 'after' ? 'drop-after' : 'drop-target');
	}

	function drop(dragged: DragItem, at: DropTarget) {
		const { client, laneTitle, feedback } = options;
		if (dragged.kind === 'cluster') {
			if (at.kind !== 'lane') return;
			const name = dropCluster(client.doc, dragged.id, at.lane);
			client.endStep();
			if (name === null) return;
			feedback(m.board_cluster_moved({ name, lane: laneTitle(at.lane) }));
			return;
		}
		const outcome = dropNote(client.doc, dragged.id, at);
		client.endStep();
		// A phone stays on the lane being sorted (the next note is there); the tab's count and the announcement say where it went.
		if (!outcome) return;
		const texts = {
			lane: () => m.board_note_moved({ lane: laneTitle(outcome.lane) }),
			cluster: () => m.board_added_to_cluster({ name: outcome.clusterName ?? '' }),
			clustered: () => m.board_cluster_created({ name: outcome.clusterName ?? '' }),
			placed: () => m.board_note_placed()
		};
		feedback(texts[outcome.kind]());
	}

	return {
		get active() {
			return item !== null;
		},
		get item() {
			return item;
		},
		/**
		 * On pointerdown on a note or cluster. A mouse or pen drags from anywhere on it once moved a few pixels; a finger
		 * only from its handle (`fromHandle`), so swiping over the board still scrolls it.
		 */
		start(event: PointerEvent, dragged: DragItem, element: HTMLElement, fromHandle = false) {
			if (item || event.button !== 0 || !event.isPrimary) return;
			if (event.pointerType === 'touch' && !fromHandle) return;
			if (!fromHandle && (event.target as Element).closest('button, a, input, textarea, select, [contenteditable]')) return;
			const start = { x: event.clientX, y: event.clientY };
			const threshold = event.pointerType === 'touch' ? 2 : 6;
			let started = false;

			const onmove = (move: PointerEvent) => {
				if (move.pointerId !== event.pointerId) return;
				pointer = { x: move.clientX, y: move.clientY };
				if (!started) {
					if (Math.hypot(move.clientX - start.x, move.clientY - start.y) < threshold) return;
					started = true;
					begin(dragged, element, event.pointerId);
				}
				move.preventDefault();
				place();
				aim(targetAt(move.clientX, move.clientY, dragged));
			};
			// A touch that drags must not scroll the page under it.
			const ontouchmove = (touch: TouchEvent) => {
				if (started) touch.preventDefault();
			};
			const finish = (done: PointerEvent | null) => {
				window.removeEventListener('pointermove', onmove);
				window.removeEventListener('pointerup', onup);
				window.removeEventListener('pointercancel', oncancel);
				window.removeEventListener('keydown', onkeydown, true);
				window.removeEventListener('touchmove', ontouchmove);
				if (!started) return;
				// The click that follows a drag in the same task (on a note's label it would tick the note) is not a click.
				const swallow = (click: MouseEvent) => {
					click.stopPropagation();
					click.preventDefault();
				};
				window.addEventListener('click', swallow, { capture: true, once: true });
				setTimeout(() => window.removeEventListener('click', swallow, true), 0);
				const at = done ? targetAt(done.clientX, done.clientY, dragged) : null;
				const moving = source;
				end();
				if (!at || !moving) return;
				// The lift answers in the next frame: the note leaves its place at once, and the move itself (a Yjs
				// transaction sent to everyone, then the board's re-render) runs right after that frame is drawn (B11, INP).
				moving.classList.add('drop-pending');
				requestAnimationFrame(() =>
					setTimeout(() => {
						moving.classList.remove('drop-pending');
						drop(dragged, at);
					})
				);
			};
			const onup = (up: PointerEvent) => up.pointerId === event.pointerId && finish(up);
			const oncancel = (cancel: PointerEvent) => cancel.pointerId === event.pointerId && finish(null);
			const onkeydown = (key: KeyboardEvent) => {
				if (key.key !== 'Escape' || !started) return;
				key.preventDefault();
				key.stopPropagation();
				finish(null);
				options.feedback(m.board_drag_cancelled());
			};
			window.addEventListener('pointermove', onmove, { passive: false });
			window.addEventListener('pointerup', onup);
			window.addEventListener('pointercancel', oncancel);
			window.addEventListener('keydown', onkeydown, true);
			window.addEventListener('touchmove', ontouchmove, { passive: false });
		}
	};
}
