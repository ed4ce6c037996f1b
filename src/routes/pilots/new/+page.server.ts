import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// A GET form that picks the programme (the workshop page's "propose as a pilot") lands here: on to that
// programme's proposal page, which checks who may propose and where the idea comes from.
export const load: PageServerLoad = ({ url }) => {
	const programme = url.searchParams.get('programme') ?? '';
	const params = new URLSearchParams();
	for (const key of ['workshop', 'idea']) {
		const value = url.searchParams.get(key);
		if (value) params.set(key, value);
	}
	redirect(303, programme ? `/programmes/${encodeURIComponent(programme)}/pilots/new?${params}` : '/programmes');
};
