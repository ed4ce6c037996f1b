// The live module (src/lib/server/live.ts) as the board and present routes use it. The type below is the
// contract the browser side (src/lib/board/live.svelte.ts) is written against; `satisfies` checks that the
// server module keeps to it.
import type { DoneLive, LiveState, PhaseKind } from '$lib/board/live.svelte';
import * as live from '$lib/server/live';

type Target = { kind: 'lane' | 'note' | 'idea'; id: string };
export type LiveApi = {
	getLiveState(workshopId: string): LiveState;
	setPhase(workshopId: string, phaseId: string | null): LiveState;
	setLocked(workshopId: string, locked: boolean): LiveState;
	setPrivateWriting(workshopId: string, on: boolean, anonymous: boolean): LiveState;
	revealPrivateNotes(workshopId: string): Promise<{ revealed: number; state: LiveState }>;
	startTimer(workshopId: string): LiveState;
	pauseTimer(workshopId: string): LiveState;
	addTimerMinute(workshopId: string): LiveState;
	setTimerLength(workshopId: string, minutes: number): LiveState;
	resetTimer(workshopId: string): LiveState;
	setDone(workshopId: string, participantId: string, run: number, done: boolean): { run: number; mine: boolean };
	getDoneState(workshopId: string, participantId: string | null, counted: boolean): DoneLive;
	focusEveryone(workshopId: string, target: Target): LiveState;
	phasePermissions(kind: PhaseKind | null): { addNotes: boolean; edit: boolean };
};

const api = live satisfies LiveApi;

/** Async and nullable so the routes keep working should live support ever be switched off. */
export async function liveApi(): Promise<LiveApi | null> {
	return api;
}
