// Opening the facilitator's suggested groups (SuggestGroups.svelte, loaded only for facilitators) from anywhere on the
// board, e.g. a lane's foot, without loading its code there.

/** Dispatched on `document`; its detail is the lane to group ('' for the whole board). */
export const suggestGroupsEvent = 'verstas:suggest-groups';

export function askSuggestedGroups(lane: string) {
	document.dispatchEvent(new CustomEvent(suggestGroupsEvent, { detail: lane }));
}
