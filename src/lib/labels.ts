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
