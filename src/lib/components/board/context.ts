import type { BoardClient } from '$lib/board/client.svelte';
import { firstWords, type BoardView } from '$lib/board/model';
import type { LiveClient, PrivateNotesClient } from '$lib/board/live.svelte';
import type { Drag } from './drag.svelte';
import type { Selection } from './selection.svelte';
import { getContext, setContext } from 'svelte';

export type Lane = { id: string; title: string; description: string };
export type Me = {
	authorId: string;
	displayName: string;
	role: 'facilitator' | 'participant' | 'observer';
	participantId?: string | null;
};

/** The live workshop as the board's parts see it (getters over reactive state). */
export type BoardLive = {
	client: LiveClient;
	/** the facilitator may bring everyone to a lane or card */
	readonly canFocus: boolean;
	/** why new notes cannot be added now, or null when they can */
	readonly addNotesBlocked: string | null;
	/** where new notes go while private writing is on, or null */
	readonly privateNotes: PrivateNotesClient | null;
};

/** What every part of one board shares: the live document and who is looking at it. */
export type BoardContext = {
	client: BoardClient;
	/** the +1 reactions by note or idea id (the same object while they do not change) */
	readonly reactions: NonNullable<BoardView['reactions']>;
	me: Me;
	/** observers, and participants whom the lock or the phase keeps from changing the board (changes live) */
	readonly readOnly: boolean;
	lanes: Lane[];
	laneTitle: (laneId: string) => string;
	/** The lane a note or cluster is shown in: its own, or the "other" lane when its perspective is gone. */
	laneOf: (laneId: string) => string;
	/** Notes chosen with their checkboxes, for grouping. */
	selection: Selection;
	/** Tells the person (politely, and visibly) what their action did. */
	feedback: (text: string) => void;
	/** Moves focus to the element with this id once the DOM has caught up. */
	focusLater: (id: string) => void;
	/** Takes the person to the form that groups the selected notes. */
	openGroupForm: () => void;
	/** The lane shown on a phone (one at a time, chosen with tabs). */
	readonly activeLane: string;
	/** On a phone, shows this lane's tab (a note moved there is followed, so focus can stay on it). */
	showLane: (lane: string) => void;
	/** The lane the composer writes to. */
	composerLane: string;
	/** Sends the person to the composer, writing into this lane. */
	writeIn: (lane: string) => void;
	/** Dragging notes and clusters with a mouse, a finger or a pen. */
	drag: Drag;
	/** present when the board runs live (phases, lock, private writing) */
	live?: BoardLive;
};

const key = Symbol('board');

/** Notes whose perspective was removed from the workshop are shown in a lane of their own. */
export const otherLane = '~other';

export function setBoardContext(context: BoardContext) {
	setContext(key, context);
}

export function boardContext() {
	return getContext<BoardContext>(key);
}

/** The first words of a text, for names and announcements. */
export const shorten = (text: string, max = 60) => firstWords(text, max);

/** Element ids, in one place so actions can send focus to what they created or moved. */
export const ids = {
	note: (id: string) => `note-${id}`,
	noteSelect: (id: string) => `note-${id}-select`,
	cluster: (id: string) => `cluster-${id}`,
	clusterHeading: (id: string) => `cluster-${id}-heading`,
	lane: (id: string) => `lane-${id}`,
	laneHeading: (id: string) => `lane-${id}-heading`,
	idea: (id: string) => `idea-${id}`,
	ideaTitle: (id: string) => `idea-${id}-title`,
	clusterName: 'board-cluster-name',
	composerText: 'board-composer-text',
	ideasHeading: 'board-ideas-heading'
};
