import { m } from '$lib/paraglide/messages.js';
import { pilotStatusLabels } from '$lib/pilot-labels';
import type { programmeDashboard } from '$lib/server/outcomes';

type Dashboard = NonNullable<Awaited<ReturnType<typeof programmeDashboard>>>;
/** Sets one dashboard filter (keeping the others): the chart rows become links. */
type Link = (filter: 'status' | 'goalId' | 'areaCode', value: string) => string | undefined;

/** The dashboard's pilot counts by status, goal and area as CountChart rows (for the dashboard and its report). */
export function pilotCountCharts(d: Pick<Dashboard, 'byStatus' | 'byGoal' | 'byArea'>, link: Link = () => undefined) {
	return [
		{
			caption: m.outcomes_by_status(),
			itemHeader: m.outcomes_filter_status(),
			items: d.byStatus.map((s) => ({ key: s.key, label: pilotStatusLabels[s.key](), count: s.count, href: link('status', s.key) }))
		},
		{
			caption: m.outcomes_by_goal(),
			itemHeader: m.outcomes_filter_goal(),
			items: d.byGoal.map((g) => ({ key: g.key ?? '', label: g.title ?? m.outcomes_no_goal(), count: g.count, href: g.key ? link('goalId', g.key) : undefined }))
		},
		{
			caption: m.outcomes_by_area(),
			itemHeader: m.outcomes_filter_area(),
			items: d.byArea.map((a) => ({ key: a.code, label: `${a.name} (${a.code})`, count: a.count, href: link('areaCode', a.code) }))
		}
	];
}
