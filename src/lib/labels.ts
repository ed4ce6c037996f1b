import type { CanvasField } from './board/model';
import type { VoteRefusal } from './live-protocol';
import { m } from './paraglide/messages.js';

// Display names for the enums stored in the database.
export const roleLabels = {
	member: m.role_member,
	programme_lead: m.role_programme_lead,
	facilitator: m.role_facilitator
} as const;

export const organisationKindLabels = {
	city: m.kind_city,
	agency: m.kind_agency,
	ngo: m.kind_ngo
} as const;

export function optionsOf(labels: Record<string, () => string>) {
	return Object.entries(labels).map(([value, label]) => ({ value, label: label() }));
}

export const phaseKindLabels = {
	orientation: m.phase_kind_orientation,
	ideas: m.phase_kind_ideas,
	grouping: m.phase_kind_grouping,
	voting: m.phase_kind_voting,
	canvas: m.phase_kind_canvas,
	commitments: m.phase_kind_commitments,
	free: m.phase_kind_free
} as const;

export const participantRoleLabels = {
	participant: m.role_participant,
	observer: m.role_observer
} as const;

export const voteMethodLabels = {
	dot: m.vote_method_dot,
	ranking: m.vote_method_ranking,
	rating: m.vote_method_rating
} as const;

export const voteStatusLabels = {
	open: m.vote_status_open,
	closed: m.vote_status_closed,
	revealed: m.vote_status_revealed
} as const;

/** The experiment canvas's fields (board/model.ts `canvasFields`). */
export const canvasFieldLabels = {
	problem: m.board_canvas_problem,
	hypothesis: m.board_canvas_hypothesis,
	targetGroup: m.board_canvas_target_group,
	targetAreas: m.board_canvas_target_areas,
	partners: m.board_canvas_partners,
	indicators: m.board_canvas_indicators,
	resources: m.board_canvas_resources,
	duration: m.board_canvas_duration,
	firstStep: m.board_canvas_first_step
} as const satisfies Record<CanvasField, () => string>;

/** Why a vote was refused, in the reader's language (`cap`: the round's most points per item). */
const voteRefusalMessages = {
	closed: () => m.vote_refused_closed(),
	budget: () => m.vote_refused_budget(),
	cap: (cap) => m.vote_refused_cap({ cap }),
	unknown_item: () => m.vote_refused_unknown_item(),
	locked: () => m.vote_refused_locked(),
	no_points: () => m.vote_refused_no_points(),
	not_voter: () => m.vote_refused_not_voter(),
	unavailable: () => m.vote_refused_unavailable(),
	invalid: () => m.vote_refused_invalid(),
	incomplete: () => m.vote_refused_incomplete()
} as const satisfies Record<VoteRefusal, (cap: number) => string>;

export const voteRefusalMessage = (reason: VoteRefusal, cap = 0) => voteRefusalMessages[reason](cap);
