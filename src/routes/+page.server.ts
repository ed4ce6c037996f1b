import { listCheckInsDue, withOverdueCheckIns } from '$lib/server/pilots';
import { listProgrammesForUser } from '$lib/server/programmes';
import { canCreateWorkshops, listWorkshopsForUser } from '$lib/server/workshops';
import type { PageServerLoad } from './$types';

/** How many of each list the home page shows before "all". */
const shown = 4;
const overduePilotsShown = 3;
// A workshop that began within this long ago is still "today's": it stays at the top while it runs.
const stillRunningMs = 12 * 60 * 60 * 1000;

/** A signed-in person's own things first: their workshops (the coming ones soonest first), pilots and programmes. */
export const load: PageServerLoad = async ({ locals }) => {
	const user = locals.user;
	if (!user) return { mine: null };
	const [workshops, checkInsDue, programmes, canCreate] = await Promise.all([
		listWorkshopsForUser(user.id),
		listCheckInsDue({ teamMemberId: user.id }),
		listProgrammesForUser(user),
		canCreateWorkshops(user)
	]);
	// A lead sees at once which of their programmes have check-ins overdue.
	const programmesShown = await withOverdueCheckIns(programmes.slice(0, shown));
	const from = Date.now() - stillRunningMs;
	const coming = workshops.filter((workshop) => workshop.startsAt && workshop.startsAt.getTime() >= from).reverse();
	const others = workshops.filter((workshop) => !coming.includes(workshop));
	return {
		mine: {
			workshops: [...coming, ...others].slice(0, shown).map(({ id, title, startsAt, facilitating }) => ({ id, title, startsAt, facilitating })),
			workshopCount: workshops.length,
			checkInsDue: checkInsDue.map(({ id, title, due, overdue }) => ({ id, title, due, overdue })),
			// A lead's overdue pilots by name (the first few; the dashboard lists them all).
			programmes: programmesShown.map(({ id, name, role, overdue, overduePilots }) => ({
				id,
				name,
				role,
				overdue,
				overduePilots: overduePilots.slice(0, overduePilotsShown).map(({ id, title, due }) => ({ id, title, due }))
			})),
			programmeCount: programmes.length,
			canCreate
		}
	};
};
