// Keeps a page's vote round (from its load) in step with the announcements on the board socket (type 102):
// turnout and visible results are taken from the newest announcement; a new round or a status change reloads
// the page's data, which brings the round's items and this person's own votes.
import { invalidate } from '$app/navigation';
import type { voteView } from '$lib/server/voting';
import type { LiveClient, VoteLive } from './live.svelte';

export type VoteView = NonNullable<Awaited<ReturnType<typeof voteView>>>;

const keyOf = (vote: Pick<VoteLive, 'roundId' | 'status' | 'results'>) => `${vote.roundId}:${vote.status}:${vote.results ? 1 : 0}`;

/** Call during component setup. `current()` is the round to show: the load's, with the latest announced figures. */
export function followVote(view: () => VoteView | null, live: () => LiveClient | null | undefined) {
	let reloadedFor = '';
	$effect(() => {
		const announced = live()?.vote;
		const loaded = view();
		if (!announced) return;
		const key = keyOf(announced);
		// Reload once per announced state: a reload that still shows an older state does not loop.
		if (key !== (loaded ? keyOf(loaded.live) : '') && key !== reloadedFor) {
			reloadedFor = key;
			invalidate('verstas:votes');
		}
	});
	return {
		current(): VoteLive | null {
			const loaded = view();
			if (!loaded) return null;
			const announced = live()?.vote;
			return announced && keyOf(announced) === keyOf(loaded.live) ? announced : loaded.live;
		}
	};
}
