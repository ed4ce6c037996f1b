// "My data" of the demo's own people (issue 17's "done when"): the demo is seeded into a fresh database, each demo
// account's ZIP is built and unzipped, and every file is compared field by field with what raw SQL reads from the
// tables (not through the export's own queries), so a column the export drops or mislabels fails here.
import { strFromU8, unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { readBoard } from '../../src/lib/board/model';
import { rawAll } from '../../src/lib/server/db';
import { demoAccounts, seedDemo } from '../../src/lib/server/demo';
import { buildDataZip, collectUserData } from '../../src/lib/server/my-data';
import { createSession } from '../../src/lib/server/session';
import { storedBoard } from '../helpers/collab';

type Raw = Record<string, unknown>;
const all = (query: string, ...params: unknown[]) => rawAll<Raw>(query, ...params);
/** A stored time (SQLite's milliseconds, PostgreSQL's Date) as the export writes it (JSON of a Date); a misspelt column fails rather than passing as null. */
function iso(at: unknown) {
	if (at === undefined) throw new Error('no such column');
	return at === null ? null : new Date(at as number | Date).toISOString();
}
/** SQLite's 0/1, PostgreSQL's boolean. */
const bool = (value: unknown) => value === 1 || value === true;
const byJson = (rows: Raw[]) => rows.map((row) => JSON.stringify(row)).sort();

async function exportOf(userId: string) {
	const files = (await collectUserData(userId))!;
	const zip = unzipSync(buildDataZip(files, 'fi', 'user'));
	return (name: string) => {
		expect(zip[`${name}.json`], name).toBeDefined();
		expect(zip[`${name}.csv`], name).toBeDefined();
		return JSON.parse(strFromU8(zip[`${name}.json`]!)) as Raw[];
	};
}

describe('the demo accounts’ own data', () => {
	const ids = new Map<string, string>();

	beforeAll(async () => {
		await seedDemo();
		for (const { email } of demoAccounts) {
			const [user] = await all('SELECT id FROM users WHERE email = ?', email);
			ids.set(email, user!.id as string);
			await createSession(user!.id as string);
		}
	}, 60_000);

	it('seeds once: a second start (PostgreSQL is never reset) changes nothing', async () => {
		const counts = async () => all('SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM workshops) AS workshops, (SELECT count(*) FROM pilots) AS pilots');
		const before = await counts();
		expect(Number(before[0]!.users)).toBe(demoAccounts.length);
		await seedDemo();
		expect(await counts()).toEqual(before);
	});

	it.each(demoAccounts.map((account) => account.email))('%s: every file matches the database field by field', async (email) => {
		const userId = ids.get(email)!;
		const file = await exportOf(userId);

		const [user] = await all('SELECT * FROM users WHERE id = ?', userId);
		expect(file('profile')).toEqual([{ id: userId, email, name: user!.name, locale: user!.locale, isAdmin: bool(user!.is_admin), createdAt: iso(user!.created_at) }]);
		expect(byJson(file('memberships'))).toEqual(
			byJson(
				(await all('SELECT m.*, o.name AS org FROM memberships m JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = ?', userId)).map((m) => ({
					organisationId: m.organisation_id,
					organisationName: m.org,
					role: m.role,
					createdAt: iso(m.created_at)
				}))
			)
		);
		const sessions = await all('SELECT * FROM sessions WHERE user_id = ?', userId);
		expect(sessions).toHaveLength(1);
		expect(file('sessions')).toEqual(sessions.map((s) => ({ createdAt: iso(s.created_at), lastUsedAt: iso(s.last_verified_at), expiresAt: expect.any(String) })));
		expect(file('openid_identities')).toEqual((await all('SELECT * FROM user_identities WHERE user_id = ?', userId)).map((i) => ({ provider: i.provider, subject: i.subject, createdAt: iso(i.created_at) })));
		expect(byJson(file('mail_preferences'))).toEqual(byJson((await all('SELECT * FROM mail_preferences WHERE user_id = ?', userId)).map((p) => ({ kind: p.kind, frequency: p.frequency }))));
		expect(byJson(file('mail_sent_to_me'))).toEqual(
			byJson((await all('SELECT * FROM mail_outbox WHERE user_id = ?', userId)).map((m) => ({ kind: m.kind, to: m.to, subject: m.subject, status: m.status, createdAt: iso(m.created_at), sentAt: iso(m.sent_at) })))
		);
		const feeds = await all('SELECT * FROM calendar_feeds WHERE user_id = ?', userId);
		expect(file('calendar_feed')).toEqual([{ exists: feeds.length > 0, createdAt: feeds.length ? iso(feeds[0]!.created_at) : null }]);

		const facilitated = new Set((await all('SELECT workshop_id FROM workshop_facilitators WHERE user_id = ?', userId)).map((f) => f.workshop_id));
		expect(byJson(file('workshops'))).toEqual(
			byJson(
				(await all('SELECT * FROM workshops')).flatMap((w) =>
					w.created_by === userId || facilitated.has(w.id)
						? [{ id: w.id, title: w.title, theme: w.theme, description: w.description, startsAt: iso(w.starts_at), location: w.location, createdAt: iso(w.created_at), createdByMe: w.created_by === userId, facilitator: facilitated.has(w.id) }]
						: []
				)
			)
		);
		const participations = await all('SELECT p.*, w.title FROM participants p JOIN workshops w ON w.id = p.workshop_id WHERE p.user_id = ?', userId);
		expect(byJson(file('participations'))).toEqual(
			byJson(
				participations.map((p) => ({
					id: p.id,
					workshopId: p.workshop_id,
					workshopTitle: p.title,
					displayName: p.display_name,
					organisationName: p.organisation_name,
					role: p.role,
					removedAt: iso(p.removed_at),
					joinedAt: iso(p.created_at)
				}))
			)
		);

		// Board notes: the stored board of every workshop the person is in, read with Yjs itself.
		const authorIds = new Set([`user:${userId}`, ...participations.map((p) => p.id)]);
		const boardIds = new Set([...participations.map((p) => p.workshop_id as string), ...(await all('SELECT id FROM workshops WHERE created_by = ?', userId)).map((w) => w.id as string), ...(facilitated as Set<string>)]);
		const boards = new Map(await Promise.all([...boardIds].map(async (id) => [id, await storedBoard(id)] as const)));
		const notes = [...boardIds].flatMap((workshopId) => {
			return readBoard(boards.get(workshopId)!)
				.notes.filter((note) => authorIds.has(note.authorId))
				.map((note) => ({ workshopId, id: note.id, text: note.text, lane: note.lane, clusterId: note.clusterId, authorName: note.authorName, createdAt: iso(note.createdAt) }));
		});
		expect(byJson(file('board_notes'))).toEqual(byJson(notes));
		expect(byJson(file('votes'))).toEqual(
			byJson(
				(await all(
					'SELECT v.*, r.workshop_id, r.method, r.anonymous, i.text FROM votes v JOIN vote_rounds r ON r.id = v.round_id LEFT JOIN vote_round_items i ON i.round_id = v.round_id AND i.item_id = v.item_id'
				))
					.filter((v) => authorIds.has(v.voter_id as string))
					.map((v) => ({ workshopId: v.workshop_id, roundId: v.round_id, method: v.method, anonymous: bool(v.anonymous), itemId: v.item_id, itemText: v.text, points: v.points, rank: v.rank, impact: v.impact, feasibility: v.feasibility, updatedAt: iso(v.updated_at) }))
			)
		);

		const team = new Set((await all('SELECT pilot_id FROM pilot_team WHERE user_id = ?', userId)).map((t) => t.pilot_id));
		expect(byJson(file('pilots'))).toEqual(
			byJson(
				(await all('SELECT p.*, g.name AS programme FROM pilots p JOIN programmes g ON g.id = p.programme_id')).flatMap((p) =>
					p.proposed_by === userId || p.responsible_user_id === userId || team.has(p.id)
						? [{ id: p.id, programmeName: p.programme, title: p.title, summary: p.summary, hypothesis: p.hypothesis, status: p.status, createdAt: iso(p.created_at), updatedAt: iso(p.updated_at), proposedByMe: p.proposed_by === userId, responsible: p.responsible_user_id === userId, inTeam: team.has(p.id) }]
						: []
				)
			)
		);
		expect(byJson(file('pilot_status_changes'))).toEqual(
			byJson((await all('SELECT * FROM pilot_status_history WHERE by_user_id = ?', userId)).map((c) => ({ pilotId: c.pilot_id, fromStatus: c.from_status, toStatus: c.to_status, decision: c.decision, comment: c.comment, at: iso(c.at) })))
		);
		expect(byJson(file('check_ins'))).toEqual(
			byJson(
				(await all('SELECT * FROM check_ins WHERE written_by = ?', userId)).map((c) => ({
					id: c.id,
					pilotId: c.pilot_id,
					seriesId: c.series_id,
					version: c.version,
					reportedOn: c.reported_on,
					status: c.status,
					happened: c.happened,
					learned: c.learned,
					nextSteps: c.next_steps,
					impactResidents: c.impact_residents,
					impactLocalActors: c.impact_local_actors,
					impactInstitutions: c.impact_institutions,
					writtenAt: iso(c.written_at)
				}))
			)
		);
		expect(byJson(file('pilot_comments'))).toEqual(byJson((await all('SELECT * FROM pilot_comments WHERE author_id = ?', userId)).map((c) => ({ id: c.id, pilotId: c.pilot_id, text: c.text, at: iso(c.at) }))));
	});

	it('holds what the demo gave each person (the comparison above is not of two empty lists)', async () => {
		const team = await exportOf(ids.get('team@demo.verstas.fi')!);
		expect(team('board_notes')).toHaveLength(11);
		expect(team('participations').map((p) => p.workshopTitle)).toEqual(['Sosiaalisesti kestävät kaupungit']);
		expect(team('pilots').map((p) => p.title)).toEqual(expect.arrayContaining(['Läksykerho ja turvallinen aikuinen Kannelmäessä', 'Perheiden olohuone Kontulan ostarilla']));
		expect(team('check_ins').length).toBeGreaterThanOrEqual(3);
		expect(team('memberships')).toHaveLength(2);
		const lead = await exportOf(ids.get('lead@demo.verstas.fi')!);
		expect(lead('pilot_status_changes').map((c) => c.toStatus)).toEqual(expect.arrayContaining(['approved', 'decided']));
		const facilitator = await exportOf(ids.get('facilitator@demo.verstas.fi')!);
		expect(facilitator('workshops').map((w) => [w.title, w.createdByMe, w.facilitator])).toEqual([['Sosiaalisesti kestävät kaupungit', true, true]]);
	});
});
