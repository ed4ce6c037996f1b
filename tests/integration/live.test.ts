// The live cockpit's state (live.ts) against a real database: timer arithmetic on the server's clock, phases,
// focus, and the phases' permissions.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rawAll, rawGet } from '../../src/lib/server/db';
import {
	addTimerMinute,
	focusEveryone,
	getLiveState,
	NotCountedError,
	pauseTimer,
	phasePermissions,
	resetTimer,
	setDone,
	setLocked,
	setPhase,
	setPrivateWriting,
	setTimerLength,
	StalePhaseRunError,
	startTimer,
	UnknownPhaseError,
	UnknownWorkshopError
} from '../../src/lib/server/live';
import { createWorkshop, getWorkshopDetails, removeParticipant, setParticipantRole } from '../../src/lib/server/workshops';
import { newGuest, newUser, workshopInput } from '../helpers/collab';

async function workshopWithAgenda() {
	const owner = await newUser('Ajastaja');
	const workshop = await createWorkshop(
		{
			...workshopInput('Ajastettu'),
			phases: [
				{ kind: 'ideas', title: 'Ideointi', durationMinutes: 10 },
				{ kind: 'voting', title: 'Äänestys', durationMinutes: 5 }
			]
		},
		owner.id
	);
	const [ideas, voting] = (await getWorkshopDetails(workshop.id))!.phases;
	return { workshop, ideas: ideas!, voting: voting! };
}

afterEach(() => {
	vi.useRealTimers();
});

describe('live state', () => {
	it('starts with defaults and stores no row until something changes', async () => {
		const { workshop } = await workshopWithAgenda();
		expect(await getLiveState(workshop.id)).toEqual({
			phaseId: null,
			phaseStartedAt: null,
			locked: false,
			privateWriting: false,
			anonymousReveal: false,
			timer: { running: false, endsAt: null, remainingMs: 0, durationMs: 0 },
			focus: null,
			revealSeq: 0,
			phaseRun: 0
		});
		expect(Number((await rawGet<{ n: number | string }>('SELECT count(*) AS n FROM workshop_live WHERE workshop_id = ?', workshop.id))?.n)).toBe(0);
	});

	it('runs the timer on the server clock: phase reset, start, pause, add a minute running and paused', async () => {
		const { workshop, ideas, voting } = await workshopWithAgenda();
		vi.useFakeTimers({ toFake: ['Date'] });
		const t0 = new Date('2026-11-23T09:00:00Z').getTime();
		vi.setSystemTime(t0);

		let state = await setPhase(workshop.id, ideas.id);
		expect(state.phaseId).toBe(ideas.id);
		expect(state.phaseStartedAt).toBe(t0);
		expect(state.timer).toEqual({ running: false, endsAt: null, remainingMs: 600_000, durationMs: 600_000 });

		vi.setSystemTime(t0 + 5_000); // a paused timer does not run
		expect((await getLiveState(workshop.id)).timer.remainingMs).toBe(600_000);
		state = await startTimer(workshop.id);
		expect(state.timer).toEqual({ running: true, endsAt: t0 + 605_000, remainingMs: 600_000, durationMs: 600_000 });
		expect((await startTimer(workshop.id)).timer.endsAt).toBe(t0 + 605_000); // starting a running timer changes nothing

		vi.setSystemTime(t0 + 95_000);
		expect((await getLiveState(workshop.id)).timer.remainingMs).toBe(510_000);
		state = await pauseTimer(workshop.id);
		expect(state.timer).toEqual({ running: false, endsAt: null, remainingMs: 510_000, durationMs: 600_000 });

		vi.setSystemTime(t0 + 700_000);
		expect((await getLiveState(workshop.id)).timer.remainingMs).toBe(510_000);
		state = await addTimerMinute(workshop.id);
		expect(state.timer).toEqual({ running: false, endsAt: null, remainingMs: 570_000, durationMs: 660_000 });

		state = await startTimer(workshop.id);
		expect(state.timer.endsAt).toBe(t0 + 700_000 + 570_000);
		vi.setSystemTime(t0 + 710_000);
		state = await addTimerMinute(workshop.id);
		expect(state.timer).toEqual({ running: true, endsAt: t0 + 1_330_000, remainingMs: 620_000, durationMs: 720_000 });

		// Ran out: remaining is 0, never negative; a minute more counts from now.
		vi.setSystemTime(t0 + 2_000_000);
		expect((await getLiveState(workshop.id)).timer.remainingMs).toBe(0);
		expect((await addTimerMinute(workshop.id)).timer.remainingMs).toBe(60_000);

		// The next phase resets the timer, paused, to its own duration.
		vi.setSystemTime(t0 + 2_100_000);
		state = await setPhase(workshop.id, voting.id);
		expect(state).toMatchObject({ phaseId: voting.id, phaseStartedAt: t0 + 2_100_000 });
		expect(state.timer).toEqual({ running: false, endsAt: null, remainingMs: 300_000, durationMs: 300_000 });
		state = await setPhase(workshop.id, null);
		expect(state).toMatchObject({ phaseId: null, phaseStartedAt: null });
		expect(state.timer).toEqual({ running: false, endsAt: null, remainingMs: 0, durationMs: 0 });
	});

	it('sets the timer’s length (1–120 min) running or paused, and resets it to the phase’s planned length', async () => {
		const { workshop, ideas } = await workshopWithAgenda();
		vi.useFakeTimers({ toFake: ['Date'] });
		const t0 = new Date('2026-11-23T10:00:00Z').getTime();
		vi.setSystemTime(t0);

		// Before any phase: a length sets a paused timer; a reset keeps its own length.
		expect((await setTimerLength(workshop.id, 3)).timer).toEqual({ running: false, endsAt: null, remainingMs: 180_000, durationMs: 180_000 });
		expect((await resetTimer(workshop.id)).timer).toEqual({ running: false, endsAt: null, remainingMs: 180_000, durationMs: 180_000 });

		await setPhase(workshop.id, ideas.id); // planned: 10 min
		let state = await setTimerLength(workshop.id, 5);
		expect(state.timer).toEqual({ running: false, endsAt: null, remainingMs: 300_000, durationMs: 300_000 });
		await startTimer(workshop.id);
		vi.setSystemTime(t0 + 100_000);
		// Running: the new length counts from now, and the timer keeps running.
		state = await setTimerLength(workshop.id, 1);
		expect(state.timer).toEqual({ running: true, endsAt: t0 + 160_000, remainingMs: 60_000, durationMs: 60_000 });
		// The end: nothing left, still "running" (every screen shows the end from the server's endsAt).
		vi.setSystemTime(t0 + 161_000);
		expect((await getLiveState(workshop.id)).timer).toEqual({ running: true, endsAt: t0 + 160_000, remainingMs: 0, durationMs: 60_000 });
		state = await resetTimer(workshop.id);
		expect(state.timer).toEqual({ running: false, endsAt: null, remainingMs: 600_000, durationMs: 600_000 });
		expect((await setTimerLength(workshop.id, 120)).timer.durationMs).toBe(7_200_000);

		for (const bad of [0, 121, 2.5, Number.NaN, -1]) await expect(setTimerLength(workshop.id, bad)).rejects.toThrow(RangeError);
		expect((await getLiveState(workshop.id)).timer.durationMs).toBe(7_200_000);
		await expect(setTimerLength('no-such-workshop', 5)).rejects.toThrow(UnknownWorkshopError);
	});

	it('keeps "done" marks per phase run: a new or re-opened phase starts from nobody done; only participants count', async () => {
		const { workshop, ideas, voting } = await workshopWithAgenda();
		const anna = await newGuest(workshop.id, 'Anna');
		const bertil = await newGuest(workshop.id, 'Bertil');
		// No phase: nothing to be done with.
		await expect(setDone(workshop.id, anna.id, 0, true)).rejects.toThrow(StalePhaseRunError);

		const run1 = (await setPhase(workshop.id, ideas.id)).phaseRun;
		expect(run1).toBe(1);
		expect(await setDone(workshop.id, anna.id, run1, true)).toEqual({ run: run1, mine: true });
		const doneRows = () =>
			rawAll('SELECT participant_id, phase_run FROM phase_done WHERE workshop_id = ? ORDER BY participant_id', workshop.id);
		expect(await doneRows()).toEqual([{ participant_id: anna.id, phase_run: run1 }]);
		// Marking twice is one mark; taking it back removes it.
		await setDone(workshop.id, bertil.id, run1, true);
		await setDone(workshop.id, bertil.id, run1, true);
		await setDone(workshop.id, bertil.id, run1, false);
		expect(await doneRows()).toEqual([{ participant_id: anna.id, phase_run: run1 }]);

		// A form sent for the run before is refused: the facilitator has moved on.
		const run2 = (await setPhase(workshop.id, voting.id)).phaseRun;
		expect(run2).toBe(run1 + 1);
		await expect(setDone(workshop.id, bertil.id, run1, true)).rejects.toThrow(StalePhaseRunError);
		// Re-opening the same phase is a new run too.
		const run3 = (await setPhase(workshop.id, voting.id)).phaseRun;
		expect(run3).toBe(run2 + 1);
		await expect(setDone(workshop.id, anna.id, run2, true)).rejects.toThrow(StalePhaseRunError);

		// Observers, removed people and strangers do not count.
		expect(await setParticipantRole(workshop.id, bertil.id, 'observer')).toBe(true);
		await expect(setDone(workshop.id, bertil.id, run3, true)).rejects.toThrow(NotCountedError);
		await removeParticipant(workshop.id, anna.id);
		await expect(setDone(workshop.id, anna.id, run3, true)).rejects.toThrow(NotCountedError);
		await expect(setDone(workshop.id, 'nobody', run3, true)).rejects.toThrow(NotCountedError);
		const other = await workshopWithAgenda();
		const stranger = await newGuest(other.workshop.id, 'Carl');
		await expect(setDone(workshop.id, stranger.id, run3, true)).rejects.toThrow(NotCountedError);
		expect(await doneRows()).toEqual([{ participant_id: anna.id, phase_run: run1 }]);
	});

	it('keeps lock, private writing and focus; refuses unknown workshops and other workshops’ phases', async () => {
		const { workshop } = await workshopWithAgenda();
		const other = await workshopWithAgenda();
		expect((await setLocked(workshop.id, true)).locked).toBe(true);
		expect(await setPrivateWriting(workshop.id, true, true)).toMatchObject({ privateWriting: true, anonymousReveal: true, locked: true });
		expect((await focusEveryone(workshop.id, { kind: 'lane', id: 'a' })).focus).toEqual({ kind: 'lane', id: 'a', seq: 1 });
		expect((await focusEveryone(workshop.id, { kind: 'lane', id: 'a' })).focus).toEqual({ kind: 'lane', id: 'a', seq: 2 });
		expect((await focusEveryone(workshop.id, { kind: 'note', id: 'n1' })).focus).toEqual({ kind: 'note', id: 'n1', seq: 3 });
		expect(await setLocked(workshop.id, false)).toMatchObject({ locked: false, privateWriting: true, focus: { seq: 3 } });
		await expect(setPhase(workshop.id, other.ideas.id)).rejects.toThrow(UnknownPhaseError);
		await expect(setLocked('no-such-workshop', true)).rejects.toThrow(UnknownWorkshopError);
		expect((await getLiveState(other.workshop.id)).locked).toBe(false);
	});

	it('says what each phase lets participants do', () => {
		expect(phasePermissions('orientation')).toEqual({ addNotes: false, edit: false });
		expect(phasePermissions('ideas')).toEqual({ addNotes: true, edit: true });
		expect(phasePermissions('grouping')).toEqual({ addNotes: true, edit: true });
		expect(phasePermissions('voting')).toEqual({ addNotes: false, edit: false });
		expect(phasePermissions('canvas')).toEqual({ addNotes: false, edit: true });
		expect(phasePermissions('commitments')).toEqual({ addNotes: true, edit: true });
		expect(phasePermissions('free')).toEqual({ addNotes: true, edit: true });
		expect(phasePermissions(null)).toEqual({ addNotes: true, edit: true });
	});
});
