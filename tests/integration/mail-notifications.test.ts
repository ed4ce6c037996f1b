// Pilot notifications, reminders and digests against a real SQLite file, with a clock: who gets what, in which
// language, once.
import { and, eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { databaseGeneration, db } from '../../src/lib/server/db';
import { m } from '../../src/lib/paraglide/messages.js';
import { mailOutbox, pilots, pilotStatusHistory } from '../../src/lib/server/db/schema';
import { checkUnsubscribeLink, setMailPreferences, unsubscribe } from '../../src/lib/server/mail/preferences';
import { queueCheckInReminders, queueDigests } from '../../src/lib/server/mail/schedule';
import { addMember, createOrganisation } from '../../src/lib/server/organisations';
import { addPilotComment, checkInSchema, pilotSchema, proposePilot, readPilotForm, recordCheckIn, transitionPilot } from '../../src/lib/server/pilots';
import { createProgramme, programmeSchema, readProgrammeForm } from '../../src/lib/server/programmes';
import { createUser } from '../../src/lib/server/users';
import type { Locale } from '../../src/lib/server/db/schema';

let counter = 0;
const person = async (name: string, locale: Locale) => {
	const email = `${name.toLowerCase()}-${++counter}@example.fi`;
	const user = await createUser({ name, email, password: 'salasana-123', locale });
	return { id: user.id, name, email, isAdmin: false };
};

async function world() {
	const owner = await createOrganisation({ name: `Helsingin kaupunki ${++counter}`, kind: 'city', municipality: 'Helsinki' });
	const lead = await person('Lisa', 'sv');
	const proposer = await person('Tiina', 'fi');
	const teammate = await person('Tom', 'en');
	await addMember(owner.id, lead.id, 'programme_lead');
	await addMember(owner.id, proposer.id, 'member');
	await addMember(owner.id, teammate.id, 'member');
	const form = new FormData();
	for (const [key, value] of Object.entries({ name: `Mukana ${counter}`, ownerOrganisationId: owner.id, startsOn: '2024-01-01', endsOn: '2027-12-31', description: '' }))
		form.set(key, value);
	form.set('goals.0.title', 'Tavoite');
	const programme = await createProgramme(programmeSchema.parse(readProgrammeForm(form)), lead.id);
	return { lead, proposer, teammate, programme };
}

const pilotInput = (title: string, teamEmails: string[] = []) => {
	const form = new FormData();
	for (const [key, value] of Object.entries({ title, summary: '', cadenceWeeks: '4', startsOn: '2025-01-06', teamEmails: teamEmails.join('\n') })) form.set(key, value);
	return pilotSchema.parse(readPilotForm(form));
};

const mailTo = (email: string, subjectLike = '%') =>
	db.select().from(mailOutbox).where(and(eq(mailOutbox.to, email), like(mailOutbox.subject, subjectLike)));

describe('pilot notifications', () => {
	it('a proposal reaches the leads in their language, with a one-click unsubscribe, and reviews and comments reach the team', async () => {
		const { lead, proposer, teammate, programme } = await world();
		const pilot = await proposePilot(programme.id, pilotInput('Läksykerho <b>&</b>', [teammate.email]), proposer.id);

		const [proposal, ...more] = await mailTo(lead.email);
		expect(more).toHaveLength(0);
		expect(proposal).toMatchObject({ kind: 'pilot_proposals', locale: 'sv', subject: 'Nytt förslag till försök: Läksykerho <b>&</b>' });
		expect(proposal!.text).toContain(`/pilots/${pilot.id}`);
		expect(proposal!.html).toContain('Läksykerho &lt;b&gt;&amp;&lt;/b&gt;');
		expect(proposal!.html).toContain('<html lang="sv">');
		expect(proposal!.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
		const unsubscribeLink = new URL(proposal!.headers['List-Unsubscribe']!.slice(1, -1));
		expect(proposal!.text).toContain(unsubscribeLink.href);
		// The proposer is not told of their own proposal.
		expect(await mailTo(proposer.email)).toHaveLength(0);

		await transitionPilot(pilot.id, 'requestChanges', lead, { comment: 'Lisää mittarit' });
		const [review] = await mailTo(teammate.email);
		expect(review).toMatchObject({ kind: 'pilot_updates', locale: 'en', subject: 'Pilot Läksykerho <b>&</b>: Changes requested' });
		expect(review!.text).toContain('Lisää mittarit');
		expect((await mailTo(proposer.email))[0]).toMatchObject({ locale: 'fi' });
		expect(await mailTo(lead.email)).toHaveLength(1);

		await addPilotComment(pilot.id, proposer.id, 'Kiitos, korjataan');
		expect(await mailTo(teammate.email, 'New comment%')).toHaveLength(1);
		expect(await mailTo(proposer.email, 'Uusi kommentti%')).toHaveLength(0);

		// The one-click link turns the kind off: the next proposal does not reach this lead.
		const link = (await checkUnsubscribeLink(unsubscribeLink.searchParams))!;
		expect(link).toEqual({ userId: lead.id, kind: 'pilot_proposals' });
		const tampered = new URLSearchParams(unsubscribeLink.searchParams);
		tampered.set('k', 'digest');
		expect(await checkUnsubscribeLink(tampered)).toBeNull();
		await unsubscribe(link.userId, link.kind);
		await proposePilot(programme.id, pilotInput('Toinen'), proposer.id);
		expect(await mailTo(lead.email)).toHaveLength(1);
	});
});

describe('check-in reminders', () => {
	it('remind the team three days ahead and once overdue, once per due date', async () => {
		const { lead, proposer, teammate, programme } = await world();
		const pilot = await proposePilot(programme.id, pilotInput('Kerho', [teammate.email]), proposer.id);
		await transitionPilot(pilot.id, 'approve', lead);
		await transitionPilot(pilot.id, 'start', lead);
		await db.update(pilots).set({ startsOn: '2025-01-06' }).where(eq(pilots.id, pilot.id));
		// Cadence 4 weeks from 6 January: due 3 February.
		await setMailPreferences(teammate.id, { checkin_reminders: 'immediate' });
		const at = (iso: string) => new Date(iso);
		const reminders = () => db.select().from(mailOutbox).where(and(eq(mailOutbox.kind, 'checkin_reminders'), eq(mailOutbox.about, `pilot:${pilot.id}`)));

		await queueCheckInReminders(at('2025-01-30T10:00:00Z'));
		expect(await reminders()).toHaveLength(0);
		await queueCheckInReminders(at('2025-01-31T10:00:00Z'));
		// Asked again (every minute) with every reminder queued: nothing is written, so no node's cached pages are
		// thrown away (on PostgreSQL any transaction counts as a write).
		const generation = databaseGeneration();
		await queueCheckInReminders(at('2025-02-01T10:00:00Z'));
		expect(databaseGeneration()).toBe(generation);
		expect((await reminders()).map((row) => [row.to, row.subject]).sort()).toEqual([
			[proposer.email, m.mail_checkin_due_subject({ date: '2025-02-03', title: 'Kerho' }, { locale: 'fi' })],
			[teammate.email, 'Check-in due 2025-02-03: Kerho']
		]);
		await queueCheckInReminders(at('2025-02-04T10:00:00Z'));
		await queueCheckInReminders(at('2025-02-06T10:00:00Z'));
		expect((await reminders()).filter((row) => row.subject.startsWith('Check-in overdue'))).toHaveLength(1);
		expect(await reminders()).toHaveLength(4);

		// A check-in moves the due date: the next cycle is reminded again.
		await recordCheckIn(pilot.id, checkInSchema.parse({ reportedOn: '2025-02-07', status: 'on_track', happened: '', learned: '', nextSteps: '', impactResidents: '', impactLocalActors: '', impactInstitutions: '' }), proposer.id);
		await queueCheckInReminders(at('2025-03-05T10:00:00Z'));
		expect((await reminders()).filter((row) => row.subject.includes('2025-03-07'))).toHaveLength(2);
	});
});

describe('digests', () => {
	it('a weekly digest on Monday morning (Helsinki) summarises the lead’s programmes; daily when chosen; none when off', async () => {
		const { lead, proposer, programme } = await world();
		const pilot = await proposePilot(programme.id, pilotInput('Digestikerho'), proposer.id);
		await transitionPilot(pilot.id, 'approve', lead);
		const digests = () => mailTo(lead.email, 'Verstas: sammandrag%');
		// The first Monday 06:00 UTC after now (08:00 or 09:00 in Helsinki, after seven): the week before it holds what
		// was just written. (On a Monday before 06:00 UTC that is today: the next week's would miss it.)
		const now = Date.now();
		const monday = new Date(now);
		monday.setUTCHours(6, 0, 0, 0);
		monday.setUTCDate(monday.getUTCDate() + ((8 - monday.getUTCDay()) % 7));
		if (monday.getTime() <= now) monday.setUTCDate(monday.getUTCDate() + 7);
		const tuesday = new Date(monday.getTime() + 24 * 60 * 60_000);

		await queueDigests(tuesday);
		expect(await digests()).toHaveLength(0);
		await queueDigests(new Date(monday.getTime() - 4 * 60 * 60_000)); // 02:00 UTC: before seven in Helsinki
		expect(await digests()).toHaveLength(0);
		await queueDigests(monday);
		await queueDigests(new Date(monday.getTime() + 60 * 60_000));
		const [digest, ...more] = await digests();
		expect(more).toHaveLength(0);
		expect(digest!.locale).toBe('sv');
		expect(digest!.text).toContain('Nya förslag');
		expect(digest!.text).toContain('- Digestikerho');
		expect(digest!.text).toContain('Digestikerho: Godkänd');
		expect(digest!.headers['List-Unsubscribe']).toContain('k=digest');

		// Daily: only what happened in the last day (here, moved to Tuesday morning), and nothing when nothing happened.
		await setMailPreferences(lead.id, { digest: 'daily' });
		await queueDigests(tuesday);
		expect(await digests()).toHaveLength(1);
		await db.update(pilotStatusHistory).set({ at: new Date(tuesday.getTime() - 60 * 60_000) }).where(eq(pilotStatusHistory.pilotId, pilot.id));
		await queueDigests(new Date(tuesday.getTime() + 60_000));
		expect(await digests()).toHaveLength(2);
		await setMailPreferences(lead.id, { digest: 'off' });
		await queueDigests(new Date(tuesday.getTime() + 24 * 60 * 60_000));
		expect(await digests()).toHaveLength(2);
	});
});
