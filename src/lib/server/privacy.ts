// The privacy notice (tietosuojaseloste, GDPR art. 13) from the deployment's settings, in fi/sv/en.
import { auditRetentionDays } from './audit';
import type { locales } from './db/schema';
import { guestRetentionDays } from './retention';

type Locale = (typeof locales)[number];

/** The controller's details and retention periods, as the notice states them. */
export function privacySettings(env: Record<string, string | undefined> = process.env) {
	return {
		/** empty: the notice says "the service's provider" */
		controllerName: env.VERSTAS_CONTROLLER_NAME?.trim() || env.VERSTAS_SERVICE_PROVIDER?.trim() || '',
		controllerContact: env.VERSTAS_CONTROLLER_CONTACT?.trim() ?? '',
		/** empty: the DPO section says to ask the controller */
		dpoContact: env.VERSTAS_DPO_CONTACT?.trim() ?? '',
		// What the jobs themselves use, read the same way: the notice never states another number than they apply.
		guestRetentionDays: guestRetentionDays(env),
		auditRetentionDays: auditRetentionDays(env)
	};
}

/** The notice's page in one language: /tietosuoja (fi), /dataskydd (sv), /privacy (en), whatever the interface language. */
export function privacyPage(locale: Locale) {
	return { load: () => ({ locale, settings: privacySettings() }) };
}
