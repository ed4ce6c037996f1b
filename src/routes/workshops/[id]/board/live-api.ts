// The live module (src/lib/server/live.ts) as the board and present routes use it. The type below is the
// contract the browser side (src/lib/board/live.svelte.ts) is written against; `satisfies` checks that the
// server module keeps to it.
import type { DoneLive, LiveState, PhaseKind } from '$lib/board/live.svelte';
import * as live from '$lib/server/live';

type Target = { kind: 'lane' | 'note' | 'idea'; id: string };
export type LiveApi = {
	getLiveState(workshopId: string): Promise<LiveState>;
	setPhase(workshopId: string, phaseId: string | null): Promise<LiveState>;
	setLocked(workshopId: string, locked: boolean): Promise<LiveState>;
	setPrivateWriting(workshopId: string, on: boolean, anonymous: boolean): Promise<LiveState>;
	revealPrivateNotes(workshopId: string): Promise<{ revealed: number; state: LiveState }>;
	startTimer(workshopId: string): Promise<LiveState>;
	pauseTimer(workshopId: string): Promise<LiveState>;
	addTimerMinute(workshopId: string): Promise<LiveState>;
	setTimerLength(workshopId: string, minutes: number): Promise<LiveState>;
	resetTimer(workshopId: string): Promise<LiveState>;
	setDone(workshopId: string, participantId: string, run: number, done: boolean): Promise<{ run: number; mine: boolean }>;
	getDoneState(workshopId: string, participantId: string | null, counted: boolean, known?: Pick<LiveState, 'phaseId' | 'phaseRun'>): Promise<DoneLive>;
	focusEveryone(workshopId: string, target: Target): Promise<LiveState>;
	phasePermissions(kind: PhaseKind | null): { addNotes: boolean; edit: boolean };
};

const api = live satisfies LiveApi;

/** Async and nullable so the routes keep working should live support ever be switched off. */
export async function liveApi(): Promise<LiveApi | null> {
	return api;
}
