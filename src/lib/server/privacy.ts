// The privacy notice (tietosuojaseloste, GDPR art. 13) from the deployment's settings, in fi/sv/en.
import type { locales } from './db/schema';

type Locale = (typeof locales)[number];

/** A whole number of days from a setting, or the default when unset or not a positive integer. */
function days(value: string | undefined, fallback: number) {
	const parsed = Number(value?.trim());
	return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/** The controller's details and retention periods, as the notice states them. */
export function privacySettings(env: Record<string, string | undefined> = process.env) {
	return {
		/** empty: the notice says "the service's provider" */
		controllerName: env.VERSTAS_CONTROLLER_NAME?.trim() || env.VERSTAS_SERVICE_PROVIDER?.trim() || '',
		controllerContact: env.VERSTAS_CONTROLLER_CONTACT?.trim() ?? '',
		/** empty: the DPO section says to ask the controller */
		dpoContact: env.VERSTAS_DPO_CONTACT?.trim() ?? '',
		/** the same setting and default as the guests' anonymisation job */
		guestRetentionDays: days(env.VERSTAS_GUEST_RETENTION_DAYS, 90),
		auditRetentionDays: days(env.VERSTAS_AUDIT_RETENTION_DAYS, 365)
	};
}

/** The notice's page in one language: /tietosuoja (fi), /dataskydd (sv), /privacy (en), whatever the interface language. */
export function privacyPage(locale: Locale) {
	return { load: () => ({ locale, settings: privacySettings() }) };
}
