import { describe, expect, it } from 'vitest';
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
	joinCodeAlphabet,
	listParticipants,
	listWorkshopsForUser,
	normaliseJoinCode,
	readWorkshopForm,
	removeParticipant,
	resolveBoardAccess,
	resolveWorkshopAccess,
	setParticipantRole,
	UnknownFacilitatorError,
	updateWorkshop,
	validateGuestToken,
	workshopSchema,
	type WorkshopInput
} from '../../src/lib/server/workshops';

const input = (overrides: Partial<WorkshopInput> = {}): WorkshopInput => ({
	title: 'Jalostamo',
	theme: 'Sosiaalisesti kestävät kaupungit',
	description: '',
	startsAt: null,
	organisationIds: [],
	coFacilitatorEmails: [],
	perspectives: [{ title: 'Lapsiperheet', description: '' }],
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
		const codes = Array.from({ length: 20 }, () => createWorkshop(input(), owner.id).joinCode);
		for (const code of codes) {
			expect(code).toMatch(new RegExp(`^[${joinCodeAlphabet}]{6}$`));
			expect(code).not.toMatch(/[01I]/);
		}
		expect(normaliseJoinCode(' jal0-24 ')).toBe('JALO24');
		expect(normaliseJoinCode('ja1i24')).toBe('JALL24');
		const fixed = createWorkshop(input(), owner.id, 'JALO24');
		expect(getWorkshopByCode('jal024')?.id).toBe(fixed.id);
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
		const city = createOrganisation({ name: `Tampereen kaupunki ${counter}`, kind: 'city', municipality: 'Tampere' });
		const before = listWorkshopsForUser(owner.id).length;
		expect(() => createWorkshop(input({ coFacilitatorEmails: ['ei-ole@example.fi'] }), owner.id)).toThrow(UnknownFacilitatorError);
		expect(listWorkshopsForUser(owner.id)).toHaveLength(before);

		const workshop = createWorkshop(
			input({ organisationIds: [city.id, 'unknown-id'], coFacilitatorEmails: [colleague.email], startsAt: new Date('2026-12-01T08:00:00Z') }),
			owner.id
		);
		const details = getWorkshopDetails(workshop.id)!;
		expect(details.facilitators.map((f) => f.name).sort()).toEqual(['Fanni', 'Kalle']);
		expect(details.organisations.map((o) => o.id)).toEqual([city.id]);
		expect(listWorkshopsForUser(colleague.id).map((w) => [w.id, w.facilitating])).toEqual([[workshop.id, true]]);
	});

	it('keeps perspective ids across edits, since notes point at them', async () => {
		const owner = await user();
		const workshop = createWorkshop(
			input({ perspectives: [{ title: 'A', description: '' }, { title: 'B', description: '' }] }),
			owner.id
		);
		const [a, b] = getWorkshopDetails(workshop.id)!.perspectives;
		updateWorkshop(
			workshop.id,
			input({ perspectives: [{ id: b!.id, title: 'B muokattu', description: '' }, { title: 'C', description: '' }] })
		);
		const after = getWorkshopDetails(workshop.id)!.perspectives;
		expect(after.map((p) => p.title)).toEqual(['B muokattu', 'C']);
		expect(after[0]!.id).toBe(b!.id);
		expect(after.some((p) => p.id === a!.id)).toBe(false);
	});
});

describe("the board page's frame", () => {
	it('is read once and reused until the next write, which shows at once', async () => {
		const owner = await user();
		const workshop = createWorkshop(input(), owner.id);
		const first = getBoardFrame(workshop.id)!;
		expect(getBoardFrame(workshop.id)).toBe(first);
		updateWorkshop(
			workshop.id,
			input({ title: 'Jalostamo II', perspectives: [{ id: first.perspectives[0]!.id, title: 'Nuoret', description: '' }] })
		);
		const after = getBoardFrame(workshop.id)!;
		expect(after.workshop.title).toBe('Jalostamo II');
		expect(after.perspectives.map((p) => p.title)).toEqual(['Nuoret']);
		expect(getBoardFrame('no-such-workshop')).toBeUndefined();
	});
});

describe('joining and access', () => {
	it('a guest token opens only its own workshop and stops working once removed', async () => {
		const owner = await user();
		const one = createWorkshop(input(), owner.id);
		const other = createWorkshop(input(), owner.id);
		const guest = joinAsGuest(one.id, { displayName: 'Vieras', organisationName: 'Vantaa' });

		expect(validateGuestToken(one.id, guest.token)?.displayName).toBe('Vieras');
		expect(validateGuestToken(other.id, guest.token)).toBeNull();
		expect(validateGuestToken(one.id, guest.token.slice(0, -1) + (guest.token.endsWith('a') ? 'b' : 'a'))).toBeNull();
		expect(resolveBoardAccess(one.id, `verstas_guest_${one.id}=${guest.token}`)).toMatchObject({ ok: true, role: 'participant' });
		expect(resolveBoardAccess(other.id, `verstas_guest_${other.id}=${guest.token}`)).toEqual({ ok: false, status: 401 });

		expect(setParticipantRole(one.id, guest.participantId, 'observer')).toBe(true);
		expect(resolveBoardAccess(one.id, `verstas_guest_${one.id}=${guest.token}`)).toMatchObject({ ok: true, role: 'observer' });
		expect(removeParticipant(one.id, guest.participantId)).toBe(true);
		expect(validateGuestToken(one.id, guest.token)).toBeNull();
		expect(listParticipants(one.id)).toEqual([]);
	});

	it('a signed-in user joins once, facilitators are facilitators, strangers get 403 and nobody 401', async () => {
		const owner = await user('Fanni');
		const member = await user('Maija');
		const stranger = await user('Outo');
		const workshop = createWorkshop(input(), owner.id);

		const first = joinAsUser(workshop.id, member)!;
		expect(joinAsUser(workshop.id, member)!.id).toBe(first.id);
		expect(resolveWorkshopAccess(workshop.id, { user: member, guestToken: undefined })).toMatchObject({ role: 'participant', displayName: 'Maija' });
		expect(resolveWorkshopAccess(workshop.id, { user: owner, guestToken: undefined })).toMatchObject({ role: 'facilitator' });
		expect(resolveWorkshopAccess(workshop.id, { user: stranger, guestToken: undefined })).toBeNull();
		expect(resolveBoardAccess(workshop.id, undefined)).toEqual({ ok: false, status: 401 });
		expect(resolveBoardAccess('no-such-workshop', undefined)).toEqual({ ok: false, status: 404 });

		removeParticipant(workshop.id, first.id);
		expect(joinAsUser(workshop.id, member)).toBeNull();
	});
});

describe('agenda edits', () => {
	it('keep phase ids, so the live workshop stays on its current phase', async () => {
		const owner = await user();
		const workshop = createWorkshop(
			input({
				phases: [
					{ kind: 'ideas', title: 'Ideointi', durationMinutes: 20 },
					{ kind: 'voting', title: 'Äänestys', durationMinutes: 10 }
				]
			}),
			owner.id
		);
		const [ideas, voting] = getWorkshopDetails(workshop.id)!.phases;
		updateWorkshop(
			workshop.id,
			input({
				phases: [
					{ id: voting!.id, kind: 'voting', title: 'Äänestys', durationMinutes: 15 },
					{ kind: 'canvas', title: 'Kanvaasi', durationMinutes: 30 }
				]
			})
		);
		const after = getWorkshopDetails(workshop.id)!.phases;
		expect(after.map((p) => [p.title, p.durationMinutes, p.position])).toEqual([
			['Äänestys', 15, 0],
			['Kanvaasi', 30, 1]
		]);
		expect(after[0]!.id).toBe(voting!.id);
		expect(after.some((p) => p.id === ideas!.id)).toBe(false);
	});
});
