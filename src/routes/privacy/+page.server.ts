import { privacyPage } from '$lib/server/privacy';

export const { load } = privacyPage('en');
