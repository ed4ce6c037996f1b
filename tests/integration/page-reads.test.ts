// What a board page reads is reused until the next write (cacheUntilWrite in db/index.ts): a guest's row, the live
// state's row and the voter's own ballot. Each must be new at once after the write that changes it, and what depends
// on the clock (a guest token's age, a running timer) must still be judged at each read.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getLiveState, setPhase, startTimer } from '../../src/lib/server/live';
import { castDotVote, voteView } from '../../src/lib/server/voting';
import { getWorkshopDetails, guestTokenLifetimeMs, removeParticipant, resolveWorkshopAccess, setParticipantRole, validateGuestToken } from '../../src/lib/server/workshops';
import { newGuest } from '../helpers/collab';
import { round, workshop } from '../helpers/voting';

const tokenOf = (cookie: string) => decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));

afterEach(() => {
	vi.useRealTimers();
});

describe('reads reused until the next write', () => {
	it("refuses a removed guest at once, shows a changed role at once, and still ends a token by its age", async () => {
		const { workshopId } = await workshop();
		const guest = await newGuest(workshopId, 'Vieras');
		const who = { user: null, guestToken: tokenOf(guest.cookie) };
		expect((await resolveWorkshopAccess(workshopId, who))?.role).toBe('participant');
		expect((await resolveWorkshopAccess(workshopId, who))?.role).toBe('participant'); // the reused row

		await setParticipantRole(workshopId, guest.participantId, 'observer');
		expect((await resolveWorkshopAccess(workshopId, who))?.role).toBe('observer');

		const joinedAt = Date.now();
		expect(await validateGuestToken(workshopId, who.guestToken, joinedAt + guestTokenLifetimeMs + 1000)).toBeNull();

		await removeParticipant(workshopId, guest.participantId);
		expect(await resolveWorkshopAccess(workshopId, who)).toBeNull();
	});

	it("counts a running timer down between two page reads with no write between them, and shows a new phase at once", async () => {
		const { workshopId } = await workshop();
		const [phase] = (await getWorkshopDetails(workshopId))!.phases;
		vi.useFakeTimers({ toFake: ['Date'] });
		const t0 = new Date('2026-12-07T09:00:00Z').getTime();
		vi.setSystemTime(t0);
		expect((await getLiveState(workshopId)).phaseId).toBeNull();

		await setPhase(workshopId, phase!.id);
		expect((await getLiveState(workshopId)).phaseId).toBe(phase!.id);
		await startTimer(workshopId);
		vi.setSystemTime(t0 + 1_000);
		expect((await getLiveState(workshopId)).timer.remainingMs).toBe(599_000);
		vi.setSystemTime(t0 + 61_000);
		expect((await getLiveState(workshopId)).timer.remainingMs).toBe(539_000);
	});

	it("shows the voter's own ballot as it is after each vote", async () => {
		const opened = await round();
		const view = () => voteView(opened.workshopId, 'voter-1');
		expect((await view())?.mine?.points).toEqual({});
		expect((await view())?.mine?.pointsLeft).toBe(5);

		await castDotVote(opened.id, 'voter-1', 'note-1', 1);
		expect((await view())?.mine?.points).toEqual({ 'note-1': 1 });
		await castDotVote(opened.id, 'voter-1', 'note-1', 1);
		expect((await view())?.mine).toMatchObject({ points: { 'note-1': 2 }, pointsLeft: 3 });
		// Another voter's ballot is their own.
		expect((await voteView(opened.workshopId, 'voter-2'))?.mine?.points).toEqual({});
	});
});
