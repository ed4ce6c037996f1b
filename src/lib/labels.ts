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
