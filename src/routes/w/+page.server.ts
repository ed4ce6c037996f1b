import { normaliseJoinCode } from '$lib/server/workshops';
import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

/** The code form's GET target: /w?code=jalo 24 → /w/JALO24. */
export const load: PageServerLoad = ({ url }) => {
	const code = normaliseJoinCode(url.searchParams.get('code') ?? '');
	if (code) redirect(303, `/w/${encodeURIComponent(code)}`);
};
