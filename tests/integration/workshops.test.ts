import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { db } from '../../src/lib/server/db';
import { participants } from '../../src/lib/server/db/schema';
import { parseInput } from '../../src/lib/server/forms';
import { createOrganisation } from '../../src/lib/server/organisations';
import { createUser } from '../../src/lib/server/users';
import {
	createWorkshop,
	getBoardFrame,
	getWorkshopByCode,
	getWorkshopDetails,
	joinAsGuest,
	joinAsUser,
	isRemoved,
	joinCodeAlphabet,
	listParticipants,
	listRemovedParticipants,
	newDeviceId,
	readDeviceId,
	listWorkshopsForUser,
	normaliseJoinCode,
	readWorkshopForm,
	removeParticipant,
	resolveBoardAccess,
	resolveWorkshopAccess,
	restoreParticipant,
	setParticipantRole,
	UnknownFacilitatorError,
	updateWorkshop,
	validateGuestToken,
	workshopSchema,
	type WorkshopInput
} from '../../src/lib/server/workshops';
import { workshopInput } from '../helpers/collab';

const input = (overrides: Partial<WorkshopInput> = {}): WorkshopInput => ({
	...workshopInput('Jalostamo'),
	phases: [{ kind: 'ideas', title: 'Ideointi', durationMinutes: 20 }],
	...overrides
});

let counter = 0;
async function user(name = 'Käyttäjä') {
	const email = `kayttaja${++counter}@example.fi`;
	return { ...(await createUser({ name, email, password: 'salasana-123' })), name, email };
}

function formData(fields: [string, string][]) {
	const data = new FormData();
	for (const [key, value] of fields) data.append(key, value);
	return data;
}

describe('join codes', () => {
	it('are six characters from an alphabet without look-alikes, and typed look-alikes map back', async () => {
		const owner = await user();
		const codes = await Promise.all(Array.from({ length: 20 }, async () => (await createWorkshop(input(), owner.id)).joinCode));
		for (const code of codes) {
			expect(code).toMatch(new RegExp(`^[${joinCodeAlphabet}]{6}$`));
			expect(code).not.toMatch(/[01I]/);
		}
		expect(normaliseJoinCode(' jal0-24 ')).toBe('JALO24');
		expect(normaliseJoinCode('ja1i24')).toBe('JALL24');
		const fixed = await createWorkshop(input(), owner.id, 'JALO24');
		expect((await getWorkshopByCode('jal024'))?.id).toBe(fixed.id);
	});
});

describe('preparing a workshop', () => {
	it('reads the form rows in order and validates them with messages per field', () => {
		const shaped = readWorkshopForm(
			formData([
				['title', ''],
				['theme', 'Teema'],
				['perspectives.1.title', 'Nuoret aikuiset'],
				['perspectives.0.title', 'Lapsiperheet'],
				['phases.0.kind', 'nonsense'],
				['phases.0.title', 'Vaihe'],
				['phases.0.durationMinutes', '0'],
				['organisationIds', 'a'],
				['organisationIds', 'b'],
				['coFacilitators', 'yksi@example.fi\nkaksi@example.fi']
			])
		);
		expect(shaped.perspectives.map((p) => p.title)).toEqual(['Lapsiperheet', 'Nuoret aikuiset']);
		expect(shaped.organisationIds).toEqual(['a', 'b']);
		expect(shaped.coFacilitatorEmails).toEqual(['yksi@example.fi', 'kaksi@example.fi']);
		const result = parseInput(workshopSchema, shaped);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(Object.keys(result.errors).sort()).toEqual(['phases.0.durationMinutes', 'phases.0.kind', 'title']);
	});

	it('refuses zero or seven perspectives', () => {
		const none = parseInput(workshopSchema, { ...input(), perspectives: [] });
		const seven = parseInput(workshopSchema, { ...input(), perspectives: Array(7).fill({ title: 'x', description: '' }) });
		expect(none.ok || seven.ok).toBe(false);
	});

	it('saves everything in one transaction; an unknown co-facilitator writes nothing', async () => {
		const owner = await user('Fanni');
		const colleague = await user('Kalle');
		const city = await createOrganisation({ name: `Tampereen kaupunki ${counter}`, kind: 'city', municipality: 'Tampere' });
		const before = (await listWorkshopsForUser(owner.id)).length;
		await expect(createWorkshop(input({ coFacilitatorEmails: ['ei-ole@example.fi'] }), owner.id)).rejects.toThrow(UnknownFacilitatorError);
		expect(await listWorkshopsForUser(owner.id)).toHaveLength(before);

		const workshop = await createWorkshop(
			input({ organisationIds: [city.id, 'unknown-id'], coFacilitatorEmails: [colleague.email], startsAt: new Date('2026-12-01T08:00:00Z') }),
			owner.id
		);
		const details = (await getWorkshopDetails(workshop.id))!;
		expect(details.facilitators.map((f) => f.name).sort()).toEqual(['Fanni', 'Kalle']);
		expect(details.organisations.map((o) => o.id)).toEqual([city.id]);
		expect((await listWorkshopsForUser(colleague.id)).map((w) => [w.id, w.facilitating])).toEqual([[workshop.id, true]]);
	});

	it('keeps perspective ids across edits, since notes point at them', async () => {
		const owner = await user();
		const workshop = await createWorkshop(
			input({ perspectives: [{ title: 'A', description: '' }, { title: 'B', description: '' }] }),
			owner.id
		);
		const [a, b] = (await getWorkshopDetails(workshop.id))!.perspectives;
		await updateWorkshop(
			workshop.id,
			input({ perspectives: [{ id: b!.id, title: 'B muokattu', description: '' }, { title: 'C', description: '' }] })
		);
		const after = (await getWorkshopDetails(workshop.id))!.perspectives;
		expect(after.map((p) => p.title)).toEqual(['B muokattu', 'C']);
		expect(after[0]!.id).toBe(b!.id);
		expect(after.some((p) => p.id === a!.id)).toBe(false);
	});
});

describe("the board page's frame", () => {
	it('is read once and reused until the next write, which shows at once', async () => {
		const owner = await user();
		const workshop = await createWorkshop(input(), owner.id);
		const first = (await getBoardFrame(workshop.id))!;
		expect(await getBoardFrame(workshop.id)).toBe(first);
		await updateWorkshop(
			workshop.id,
			input({ title: 'Jalostamo II', perspectives: [{ id: first.perspectives[0]!.id, title: 'Nuoret', description: '' }] })
		);
		const after = (await getBoardFrame(workshop.id))!;
		expect(after.workshop.title).toBe('Jalostamo II');
		expect(after.perspectives.map((p) => p.title)).toEqual(['Nuoret']);
		expect(await getBoardFrame('no-such-workshop')).toBeUndefined();
	});
});

describe('joining and access', () => {
	it('a guest token stops working thirty days after joining', async () => {
		const owner = await user();
		const workshop = await createWorkshop(input(), owner.id);
		const guest = await joinAsGuest(workshop.id, { displayName: 'Vieras' });
		const day = 24 * 3600_000;
		expect((await validateGuestToken(workshop.id, guest.token, Date.now() + 29 * day))?.displayName).toBe('Vieras');
		expect(await validateGuestToken(workshop.id, guest.token, Date.now() + 30 * day)).toBeNull();
		// The same through what every request and board connection asks, with the join time in the past.
		await db.update(participants).set({ joinedAt: new Date(Date.now() - 30 * day) }).where(eq(participants.id, guest.participantId));
		expect(await resolveBoardAccess(workshop.id, `verstas_guest_${workshop.id}=${guest.token}`)).toEqual({ ok: false, status: 401 });
	});

	it('a guest token opens only its own workshop and stops working once removed', async () => {
		const owner = await user();
		const one = await createWorkshop(input(), owner.id);
		const other = await createWorkshop(input(), owner.id);
		const guest = await joinAsGuest(one.id, { displayName: 'Vieras', organisationName: 'Vantaa' });

		expect((await validateGuestToken(one.id, guest.token))?.displayName).toBe('Vieras');
		expect(await validateGuestToken(other.id, guest.token)).toBeNull();
		expect(await validateGuestToken(one.id, guest.token.slice(0, -1) + (guest.token.endsWith('a') ? 'b' : 'a'))).toBeNull();
		expect(await resolveBoardAccess(one.id, `verstas_guest_${one.id}=${guest.token}`)).toMatchObject({ ok: true, role: 'participant' });
		expect(await resolveBoardAccess(other.id, `verstas_guest_${other.id}=${guest.token}`)).toEqual({ ok: false, status: 401 });

		expect(await setParticipantRole(one.id, guest.participantId, 'observer')).toBe(true);
		expect(await resolveBoardAccess(one.id, `verstas_guest_${one.id}=${guest.token}`)).toMatchObject({ ok: true, role: 'observer' });
		expect(await removeParticipant(one.id, guest.participantId)).toEqual([guest.participantId]);
		expect(await validateGuestToken(one.id, guest.token)).toBeNull();
		expect(await listParticipants(one.id)).toEqual([]);
	});

	it('a signed-in user joins once, facilitators are facilitators, strangers get 403 and nobody 401', async () => {
		const owner = await user('Fanni');
		const member = await user('Maija');
		const stranger = await user('Outo');
		const workshop = await createWorkshop(input(), owner.id);

		const first = (await joinAsUser(workshop.id, member))!;
		expect((await joinAsUser(workshop.id, member))!.id).toBe(first.id);
		expect(await resolveWorkshopAccess(workshop.id, { user: member, guestToken: undefined })).toMatchObject({ role: 'participant', displayName: 'Maija' });
		expect(await resolveWorkshopAccess(workshop.id, { user: owner, guestToken: undefined })).toMatchObject({ role: 'facilitator' });
		expect(await resolveWorkshopAccess(workshop.id, { user: stranger, guestToken: undefined })).toBeNull();
		expect(await resolveBoardAccess(workshop.id, undefined)).toEqual({ ok: false, status: 401 });
		expect(await resolveBoardAccess('no-such-workshop', undefined)).toEqual({ ok: false, status: 404 });

		await removeParticipant(workshop.id, first.id);
		expect(await joinAsUser(workshop.id, member)).toBeNull();
	});
});

describe('removal sticks, and can be undone', () => {
	it('a removed guest is refused by token and by device, under any new name, until restored as the same guest', async () => {
		const owner = await user();
		const workshop = await createWorkshop(input(), owner.id);
		const other = await createWorkshop(input(), owner.id);
		const phone = newDeviceId();
		const laptop = newDeviceId();
		const guest = await joinAsGuest(workshop.id, { displayName: 'Häiriköivä' }, phone);
		const neighbour = await joinAsGuest(workshop.id, { displayName: 'Naapuri' }, laptop);
		const elsewhere = await joinAsGuest(other.id, { displayName: 'Häiriköivä' }, phone);
		const asGuest = (token: string | undefined, deviceId: string | null) => ({ user: null, guestToken: token, deviceId });
		expect(await isRemoved(workshop.id, asGuest(guest.token, phone))).toBe(false);

		expect(await removeParticipant(workshop.id, guest.participantId)).toEqual([guest.participantId]);
		// Kept, not deleted: listed as removed with their name, so what they wrote keeps its author.
		expect(await listRemovedParticipants(workshop.id)).toMatchObject([{ id: guest.participantId, displayName: 'Häiriköivä', isGuest: true }]);
		expect((await listParticipants(workshop.id)).map((p) => p.displayName)).toEqual(['Naapuri']);
		expect(await resolveWorkshopAccess(workshop.id, { user: null, guestToken: guest.token })).toBeNull();
		// The token alone, the phone alone (its guest cookie cleared, a new name coming), or both: removed.
		expect(await isRemoved(workshop.id, asGuest(guest.token, null))).toBe(true);
		expect(await isRemoved(workshop.id, asGuest(undefined, phone))).toBe(true);
		expect(await isRemoved(workshop.id, asGuest(guest.token, laptop))).toBe(true);
		// Someone else's browser, a forged secret, and the same phone in another workshop are not.
		expect(await isRemoved(workshop.id, asGuest(undefined, laptop))).toBe(false);
		expect(await isRemoved(workshop.id, asGuest(`${guest.participantId}.${'a'.repeat(24)}`, null))).toBe(false);
		expect(await isRemoved(other.id, asGuest(elsewhere.token, phone))).toBe(false);
		expect(await resolveWorkshopAccess(other.id, { user: null, guestToken: elsewhere.token })).toMatchObject({ displayName: 'Häiriköivä' });
		expect(await resolveWorkshopAccess(workshop.id, { user: null, guestToken: neighbour.token })).toMatchObject({ displayName: 'Naapuri' });
		// A signed-in person opening the join link on that phone is not let in either.
		const member = await user('Puhelimen lainaaja');
		expect(await isRemoved(workshop.id, { user: member, guestToken: undefined, deviceId: phone })).toBe(true);

		// Restored: the same token works again, as the same participant with the same name.
		expect(await restoreParticipant(workshop.id, guest.participantId)).toBe(true);
		expect(await restoreParticipant(workshop.id, guest.participantId)).toBe(false);
		expect(await resolveWorkshopAccess(workshop.id, { user: null, guestToken: guest.token })).toMatchObject({
			participantId: guest.participantId,
			displayName: 'Häiriköivä',
			role: 'participant'
		});
		expect(await isRemoved(workshop.id, asGuest(guest.token, phone))).toBe(false);
		expect(await listRemovedParticipants(workshop.id)).toEqual([]);
		expect(await restoreParticipant(other.id, neighbour.participantId)).toBe(false);
	});

	it('removing a guest takes the other names joined from the same phone with it, but no account and no other phone', async () => {
		const owner = await user();
		const member = await user('Tiina');
		const workshop = await createWorkshop(input(), owner.id);
		const phone = newDeviceId();
		const first = await joinAsGuest(workshop.id, { displayName: 'Eka nimi' }, phone);
		const second = await joinAsGuest(workshop.id, { displayName: 'Toka nimi' }, phone);
		const signedIn = (await joinAsUser(workshop.id, member, phone))!;
		const elsewhere = await joinAsGuest(workshop.id, { displayName: 'Muu' }, newDeviceId());
		const noDevice = await joinAsGuest(workshop.id, { displayName: 'Vanha vieras' });

		expect((await removeParticipant(workshop.id, first.participantId)).sort()).toEqual([first.participantId, second.participantId].sort());
		expect(await removeParticipant(workshop.id, first.participantId)).toEqual([]);
		expect((await listParticipants(workshop.id)).map((p) => p.id).sort()).toEqual([signedIn.id, elsewhere.participantId, noDevice.participantId].sort());
		// A guest without a device id (joined before devices were kept) is removed alone.
		expect(await removeParticipant(workshop.id, noDevice.participantId)).toEqual([noDevice.participantId]);
		expect(await listParticipants(workshop.id)).toHaveLength(2);
	});

	it('a removed signed-in user is refused until restored, then joins as the same participant', async () => {
		const owner = await user();
		const member = await user('Maija');
		const workshop = await createWorkshop(input(), owner.id);
		const laptop = newDeviceId();
		const joined = (await joinAsUser(workshop.id, member, laptop))!;

		expect(await removeParticipant(workshop.id, joined.id)).toEqual([joined.id]);
		expect(await isRemoved(workshop.id, { user: member, guestToken: undefined, deviceId: null })).toBe(true);
		expect(await resolveWorkshopAccess(workshop.id, { user: member, guestToken: undefined })).toBeNull();
		expect(await joinAsUser(workshop.id, member)).toBeNull();
		// Signed out on the same laptop, as a guest: the device gives them away.
		expect(await isRemoved(workshop.id, { user: null, guestToken: undefined, deviceId: laptop })).toBe(true);
		// The facilitator is never "removed".
		expect(await isRemoved(workshop.id, { user: owner, guestToken: undefined, deviceId: null })).toBe(false);

		expect(await restoreParticipant(workshop.id, joined.id)).toBe(true);
		expect((await joinAsUser(workshop.id, member))!.id).toBe(joined.id);
		expect(await resolveWorkshopAccess(workshop.id, { user: member, guestToken: undefined })).toMatchObject({ participantId: joined.id, displayName: 'Maija' });
	});

	it('device ids: random, and only a value of that shape is read from a cookie', () => {
		const id = newDeviceId();
		expect(id).not.toBe(newDeviceId());
		expect(readDeviceId(id)).toBe(id);
		for (const bad of [undefined, '', 'short', `${id}'; DROP`, 'A'.repeat(32)]) expect(readDeviceId(bad)).toBeNull();
	});
});

describe('agenda edits', () => {
	it('keep phase ids, so the live workshop stays on its current phase', async () => {
		const owner = await user();
		const workshop = await createWorkshop(
			input({
				phases: [
					{ kind: 'ideas', title: 'Ideointi', durationMinutes: 20 },
					{ kind: 'voting', title: 'Äänestys', durationMinutes: 10 }
				]
			}),
			owner.id
		);
		const [ideas, voting] = (await getWorkshopDetails(workshop.id))!.phases;
		await updateWorkshop(
			workshop.id,
			input({
				phases: [
					{ id: voting!.id, kind: 'voting', title: 'Äänestys', durationMinutes: 15 },
					{ kind: 'canvas', title: 'Kanvaasi', durationMinutes: 30 }
				]
			})
		);
		const after = (await getWorkshopDetails(workshop.id))!.phases;
		expect(after.map((p) => [p.title, p.durationMinutes, p.position])).toEqual([
			['Äänestys', 15, 0],
			['Kanvaasi', 30, 1]
		]);
		expect(after[0]!.id).toBe(voting!.id);
		expect(after.some((p) => p.id === ideas!.id)).toBe(false);
	});
});
