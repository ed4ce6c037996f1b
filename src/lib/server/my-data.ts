// "My data": everything Verstas holds about one person (or one guest of one workshop) as a ZIP of JSON and CSV.
// Secrets (password, session, feed and reset hashes) never leave; what is anonymous by design is not linkable.
import { and, eq, inArray, or } from 'drizzle-orm';
import { strToU8, zipSync } from 'fflate';
import { viewBoard } from '../board/model';
import { m } from '../paraglide/messages.js';
import { readBoardDoc } from './collab';
import { db, first } from './db';
import {
	calendarFeeds,
	checkIns,
	mailOutbox,
	mailPreferences,
	memberships,
	organisations,
	participants,
	pilotComments,
	pilotStatusHistory,
	pilots,
	pilotTeam,
	programmes,
	sessions,
	userIdentities,
	users,
	voteRoundItems,
	voteRounds,
	votes,
	workshopFacilitators,
	workshopInvitations,
	workshops,
	type Locale
} from './db/schema';
import { csvCell } from './report';
import { sessionExpiry } from './session';

type Row = Record<string, unknown>;
export type DataFile = { name: string; columns: string[]; rows: Row[] };

const file = (name: string, columns: string[], rows: Row[]): DataFile => ({ name, columns, rows });
const keysOf = (shape: object) => Object.keys(shape);

function cell(value: unknown) {
	if (value === null || value === undefined) return '';
	if (value instanceof Date) return value.toISOString();
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

/** RFC 4180 quoting with the exports' one rule against formulas (report.ts `csvCell`). */
function toCsv(columns: string[], rows: Row[]) {
	return [columns, ...rows.map((row) => columns.map((column) => cell(row[column])))].map((line) => line.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function zipFiles(files: DataFile[], readme: { name: string; text: string }) {
	const entries: Record<string, Uint8Array> = {};
	entries[readme.name] = strToU8(readme.text);
	for (const one of files) {
		entries[`${one.name}.json`] = strToU8(JSON.stringify(one.rows, null, 2) + '\n');
		entries[`${one.name}.csv`] = strToU8(toCsv(one.columns, one.rows));
	}
	return zipSync(entries, { level: 6 });
}

export const readmeNames: Record<Locale, string> = { fi: 'LUEMINUT.txt', sv: 'LASMIG.txt', en: 'README.txt' };

/** What the person wrote on the boards of these workshops, under any of their author ids. */
async function boardWritings(workshopIds: string[], authorIds: Set<string>) {
	const notes: Row[] = [];
	const comments: Row[] = [];
	for (const workshopId of workshopIds) {
		const doc = await readBoardDoc(workshopId);
		try {
			const board = viewBoard(doc);
			for (const note of board.notes) {
				if (!authorIds.has(note.authorId)) continue;
				notes.push({ workshopId, id: note.id, text: note.text, lane: note.lane, clusterId: note.clusterId, authorName: note.authorName, createdAt: new Date(note.createdAt) });
			}
			for (const idea of board.ideas) {
				for (const comment of idea.comments) {
					if (!authorIds.has(comment.authorId)) continue;
					comments.push({ workshopId, ideaId: idea.id, ideaTitle: idea.title, id: comment.id, text: comment.text, authorName: comment.authorName, at: new Date(comment.at) });
				}
			}
		} finally {
			doc.destroy();
		}
	}
	return {
		notes: file('board_notes', ['workshopId', 'id', 'text', 'lane', 'clusterId', 'authorName', 'createdAt'], notes),
		comments: file('idea_comments', ['workshopId', 'ideaId', 'ideaTitle', 'id', 'text', 'authorName', 'at'], comments)
	};
}

const voteShape = {
	workshopId: voteRounds.workshopId,
	roundId: votes.roundId,
	method: voteRounds.method,
	anonymous: voteRounds.anonymous,
	itemId: votes.itemId,
	itemText: voteRoundItems.text,
	points: votes.points,
	rank: votes.rank,
	impact: votes.impact,
	feasibility: votes.feasibility,
	updatedAt: votes.updatedAt
};

async function votesOf(voterIds: string[]) {
	const rows = voterIds.length
		? await db
				.select(voteShape)
				.from(votes)
				.innerJoin(voteRounds, eq(voteRounds.id, votes.roundId))
				.leftJoin(voteRoundItems, and(eq(voteRoundItems.roundId, votes.roundId), eq(voteRoundItems.itemId, votes.itemId)))
				.where(inArray(votes.voterId, voterIds))
		: [];
	return file('votes', keysOf(voteShape), rows);
}

/** A participation as both exports show it (a guest's own and a signed-in person's). */
const participationShape = {
	id: participants.id,
	workshopId: participants.workshopId,
	workshopTitle: workshops.title,
	displayName: participants.displayName,
	organisationName: participants.organisationName,
	role: participants.role,
	removedAt: participants.removedAt,
	joinedAt: participants.joinedAt
};

/** Every file of a signed-in person's data, or null when there is no such person. */
export async function collectUserData(userId: string) {
	const profileShape = { id: users.id, email: users.email, name: users.name, locale: users.locale, isAdmin: users.isAdmin, createdAt: users.createdAt };
	const profile = await first(db.select(profileShape).from(users).where(eq(users.id, userId)));
	if (!profile) return null;

	const membershipShape = { organisationId: memberships.organisationId, organisationName: organisations.name, role: memberships.role, createdAt: memberships.createdAt };
	const sessionRows = (await db
		.select({ createdAt: sessions.createdAt, lastVerifiedAt: sessions.lastVerifiedAt })
		.from(sessions)
		.where(eq(sessions.userId, userId)))
		.map((row) => ({ createdAt: row.createdAt, lastUsedAt: row.lastVerifiedAt, expiresAt: sessionExpiry(row) }));
	const identityShape = { provider: userIdentities.provider, subject: userIdentities.subject, createdAt: userIdentities.createdAt };
	const preferenceShape = { kind: mailPreferences.kind, frequency: mailPreferences.frequency };
	const feed = await first(db.select({ createdAt: calendarFeeds.createdAt }).from(calendarFeeds).where(eq(calendarFeeds.userId, userId)));
	const mailShape = { kind: mailOutbox.kind, to: mailOutbox.to, subject: mailOutbox.subject, status: mailOutbox.status, createdAt: mailOutbox.createdAt, sentAt: mailOutbox.sentAt };
	const invitationShape = {
		workshopId: workshopInvitations.workshopId,
		workshopTitle: workshops.title,
		email: workshopInvitations.email,
		state: workshopInvitations.state,
		invitedAt: workshopInvitations.invitedAt
	};

	const facilitated = new Set((await db.select({ id: workshopFacilitators.workshopId }).from(workshopFacilitators).where(eq(workshopFacilitators.userId, userId))).map((r) => r.id));
	const workshopShape = { id: workshops.id, title: workshops.title, theme: workshops.theme, description: workshops.description, startsAt: workshops.startsAt, location: workshops.location, createdBy: workshops.createdBy, createdAt: workshops.createdAt };
	const ownWorkshops = (await db
		.select(workshopShape)
		.from(workshops)
		.where(or(eq(workshops.createdBy, userId), inArray(workshops.id, [...facilitated]))))
		.map(({ createdBy, ...row }) => ({ ...row, createdByMe: createdBy === userId, facilitator: facilitated.has(row.id) }));

	const participations = await db.select(participationShape).from(participants).innerJoin(workshops, eq(workshops.id, participants.workshopId)).where(eq(participants.userId, userId));

	// On boards a signed-in person writes as their participant id, or as `user:{id}` where they have none.
	const authorIds = new Set([`user:${userId}`, ...participations.map((p) => p.id)]);
	const boardIds = [...new Set([...ownWorkshops.map((w) => w.id), ...participations.map((p) => p.workshopId)])];
	const board = await boardWritings(boardIds, authorIds);

	const team = new Set((await db.select({ id: pilotTeam.pilotId }).from(pilotTeam).where(eq(pilotTeam.userId, userId))).map((r) => r.id));
	const pilotShape = {
		id: pilots.id,
		programmeName: programmes.name,
		title: pilots.title,
		summary: pilots.summary,
		hypothesis: pilots.hypothesis,
		status: pilots.status,
		proposedBy: pilots.proposedBy,
		responsibleUserId: pilots.responsibleUserId,
		createdAt: pilots.createdAt,
		updatedAt: pilots.updatedAt
	};
	const pilotRows = (await db
		.select(pilotShape)
		.from(pilots)
		.innerJoin(programmes, eq(programmes.id, pilots.programmeId))
		.where(or(eq(pilots.proposedBy, userId), eq(pilots.responsibleUserId, userId), inArray(pilots.id, [...team]))))
		.map(({ proposedBy, responsibleUserId, ...row }) => ({ ...row, proposedByMe: proposedBy === userId, responsible: responsibleUserId === userId, inTeam: team.has(row.id) }));
	const checkInShape = {
		id: checkIns.id,
		pilotId: checkIns.pilotId,
		seriesId: checkIns.seriesId,
		version: checkIns.version,
		reportedOn: checkIns.reportedOn,
		status: checkIns.status,
		happened: checkIns.happened,
		learned: checkIns.learned,
		nextSteps: checkIns.nextSteps,
		impactResidents: checkIns.impactResidents,
		impactLocalActors: checkIns.impactLocalActors,
		impactInstitutions: checkIns.impactInstitutions,
		writtenAt: checkIns.writtenAt
	};
	const commentShape = { id: pilotComments.id, pilotId: pilotComments.pilotId, text: pilotComments.text, at: pilotComments.at };
	const statusShape = { pilotId: pilotStatusHistory.pilotId, fromStatus: pilotStatusHistory.fromStatus, toStatus: pilotStatusHistory.toStatus, decision: pilotStatusHistory.decision, comment: pilotStatusHistory.comment, at: pilotStatusHistory.at };

	return [
		file('profile', keysOf(profileShape), [profile]),
		file('memberships', keysOf(membershipShape), await db.select(membershipShape).from(memberships).innerJoin(organisations, eq(organisations.id, memberships.organisationId)).where(eq(memberships.userId, userId))),
		file('sessions', ['createdAt', 'lastUsedAt', 'expiresAt'], sessionRows),
		file('openid_identities', keysOf(identityShape), await db.select(identityShape).from(userIdentities).where(eq(userIdentities.userId, userId))),
		file('mail_preferences', keysOf(preferenceShape), await db.select(preferenceShape).from(mailPreferences).where(eq(mailPreferences.userId, userId))),
		file('mail_sent_to_me', keysOf(mailShape), await db.select(mailShape).from(mailOutbox).where(eq(mailOutbox.userId, userId))),
		file('calendar_feed', ['exists', 'createdAt'], [{ exists: !!feed, createdAt: feed?.createdAt ?? null }]),
		file('invitations_sent', keysOf(invitationShape), await db.select(invitationShape).from(workshopInvitations).innerJoin(workshops, eq(workshops.id, workshopInvitations.workshopId)).where(eq(workshopInvitations.invitedBy, userId))),
		file('workshops', ['id', 'title', 'theme', 'description', 'startsAt', 'location', 'createdAt', 'createdByMe', 'facilitator'], ownWorkshops),
		file('participations', keysOf(participationShape), participations),
		board.notes,
		board.comments,
		await votesOf([...authorIds]),
		file('pilots', ['id', 'programmeName', 'title', 'summary', 'hypothesis', 'status', 'createdAt', 'updatedAt', 'proposedByMe', 'responsible', 'inTeam'], pilotRows),
		file('pilot_status_changes', keysOf(statusShape), await db.select(statusShape).from(pilotStatusHistory).where(eq(pilotStatusHistory.byUserId, userId))),
		file('check_ins', keysOf(checkInShape), await db.select(checkInShape).from(checkIns).where(eq(checkIns.writtenBy, userId))),
		file('pilot_comments', keysOf(commentShape), await db.select(commentShape).from(pilotComments).where(eq(pilotComments.authorId, userId)))
	];
}

/** A guest's own data of the one workshop their guest session is for. */
export async function collectGuestData(workshopId: string, participantId: string) {
	const participation = await first(db
		.select(participationShape)
		.from(participants)
		.innerJoin(workshops, eq(workshops.id, participants.workshopId))
		.where(and(eq(participants.id, participantId), eq(participants.workshopId, workshopId))));
	if (!participation) return null;
	const board = await boardWritings([workshopId], new Set([participantId]));
	return [file('participation', keysOf(participationShape), [participation]), board.notes, board.comments, await votesOf([participantId])];
}

export function readmeText(files: DataFile[], locale: Locale, kind: 'user' | 'guest') {
	const o = { locale };
	const describe: Record<string, string> = {
		profile: m.my_data_file_profile({}, o),
		memberships: m.my_data_file_memberships({}, o),
		sessions: m.my_data_file_sessions({}, o),
		openid_identities: m.my_data_file_identities({}, o),
		mail_preferences: m.my_data_file_mail_preferences({}, o),
		mail_sent_to_me: m.my_data_file_mail({}, o),
		calendar_feed: m.my_data_file_calendar({}, o),
		invitations_sent: m.my_data_file_invitations({}, o),
		workshops: m.my_data_file_workshops({}, o),
		participations: m.my_data_file_participations({}, o),
		participation: m.my_data_file_participations({}, o),
		board_notes: m.my_data_file_notes({}, o),
		idea_comments: m.my_data_file_comments({}, o),
		votes: m.my_data_file_votes({}, o),
		pilots: m.my_data_file_pilots({}, o),
		pilot_status_changes: m.my_data_file_status_changes({}, o),
		check_ins: m.my_data_file_check_ins({}, o),
		pilot_comments: m.my_data_file_pilot_comments({}, o)
	};
	const lines = [kind === 'user' ? m.my_data_readme_intro({}, o) : m.my_data_readme_guest_intro({}, o), '', m.my_data_readme_formats({}, o), ''];
	for (const one of files) lines.push(`${one.name}.json / ${one.name}.csv: ${describe[one.name] ?? ''}`);
	lines.push('', m.my_data_readme_not_included({}, o), '');
	return lines.join('\r\n');
}

/** The ZIP a person downloads, its README in their language. */
export function buildDataZip(files: DataFile[], locale: Locale, kind: 'user' | 'guest') {
	return zipFiles(files, { name: readmeNames[locale], text: readmeText(files, locale, kind) });
}

export function zipResponse(zip: Uint8Array, filename: string) {
	return new Response(new Blob([zip as Uint8Array<ArrayBuffer>]), {
		headers: {
			'content-type': 'application/zip',
			'content-disposition': `attachment; filename="${filename}"`,
			// Personal data: never kept by a browser or a proxy.
			'cache-control': 'no-store',
			'x-content-type-options': 'nosniff'
		}
	});
}
