import { auditActions, auditFilterSchema, auditRetentionDays, listAudit } from '$lib/server/audit';
import { requireAdmin } from '$lib/server/authorise';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	requireAdmin(event);
	const filter = auditFilterSchema.parse(Object.fromEntries(event.url.searchParams));
	return { filter, actions: auditActions, retentionDays: auditRetentionDays(), ...await listAudit(filter) };
};
