import { m } from '$lib/paraglide/messages.js';
import { parseForm, formState } from '$lib/server/forms';
import {
	deviceCookieMaxAge,
	deviceCookieName,
	getWorkshopByCode,
	guestCookieName,
	guestJoinSchema,
	guestTokenLifetimeMs,
	isRemoved,
	joinAsGuest,
	joinAsUser,
	newDeviceId,
	normaliseJoinCode,
	readDeviceId,
	resolveWorkshopAccess
} from '$lib/server/workshops';
import { guestJoinWaitMs, joinLookupWaitMs, recordGuestJoin, recordUnknownJoinCode } from '$lib/server/rate-limit';
import { secureCookies } from '$lib/server/session';
import { fail, redirect, type Cookies } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

const guestCookieMaxAge = guestTokenLifetimeMs / 1000;

function boardOf(workshopId: string) {
	return `/workshops/${workshopId}/board`;
}

function access(workshopId: string, locals: App.Locals, cookies: Cookies) {
	return resolveWorkshopAccess(workshopId, { user: locals.user, guestToken: cookies.get(guestCookieName(workshopId)) });
}

/** This browser's device id: the one in its cookie, or a new one set now (every browser that comes to join gets one). */
function deviceOf(cookies: Cookies, url: URL) {
	const known = readDeviceId(cookies.get(deviceCookieName));
	if (known) return known;
	const id = newDeviceId();
	cookies.set(deviceCookieName, id, { path: '/', httpOnly: true, sameSite: 'lax', secure: secureCookies(url), maxAge: deviceCookieMaxAge });
	return id;
}

/** Removed by a facilitator: this account, this guest token, or someone who joined from this browser. */
function removed(workshopId: string, locals: App.Locals, cookies: Cookies, deviceId: string) {
	return isRemoved(workshopId, { user: locals.user, guestToken: cookies.get(guestCookieName(workshopId)), deviceId });
}

const minutesOf = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

/**
 * A valid code shows the workshop's title, so codes must not be walked: an address whose unknown codes are over
 * the limit gets no answer for any code until it waits (rate-limit.ts).
 */
async function lookUp(code: string, address: string) {
	const waitMs = await joinLookupWaitMs(address);
	if (waitMs > 0) return { limited: m.join_rate_limited({ minutes: minutesOf(waitMs) }) };
	const workshop = await getWorkshopByCode(code);
	if (!workshop) await recordUnknownJoinCode(address);
	return { workshop };
}

export const load: PageServerLoad = async ({ params, locals, cookies, url, getClientAddress }) => {
	if (normaliseJoinCode(params.code) !== params.code) redirect(303, `/w/${encodeURIComponent(normaliseJoinCode(params.code))}`);
	const { workshop, limited } = await lookUp(params.code, getClientAddress());
	if (limited) return { state: 'limited' as const, message: limited };
	if (!workshop) return { state: 'unknown' as const };

	// Already in: straight to the board.
	if (await access(workshop.id, locals, cookies)) redirect(303, boardOf(workshop.id));

	const summary = { title: workshop.title, theme: workshop.theme };
	const deviceId = deviceOf(cookies, url);
	if (await removed(workshop.id, locals, cookies, deviceId)) return { state: 'removed' as const, workshop: summary };
	if (!workshop.joiningOpen) return { state: 'closed' as const, workshop: summary };
	if (locals.user) {
		// Signed-in members join under their own name, without a form.
		if (await joinAsUser(workshop.id, locals.user, deviceId)) redirect(303, boardOf(workshop.id));
		return { state: 'removed' as const, workshop: summary };
	}
	return { state: 'open' as const, workshop: summary };
};

export const actions: Actions = {
	default: async ({ params, request, cookies, locals, url, getClientAddress }) => {
		const address = getClientAddress();
		const { workshop, limited } = await lookUp(params.code, address);
		if (limited) return fail(429, formState({ message: limited }));
		if (!workshop) return fail(404, formState({ message: m.join_code_unknown() }));
		if (await access(workshop.id, locals, cookies)) redirect(303, boardOf(workshop.id));
		const deviceId = deviceOf(cookies, url);
		if (await removed(workshop.id, locals, cookies, deviceId)) return fail(403, formState({ message: m.join_removed() }));
		if (!workshop.joiningOpen) return fail(403, formState({ message: m.join_closed() }));
		const form = parseForm(guestJoinSchema, await request.formData());
		if (!form.ok) return fail(400, formState(form));

		// Guests per address and per workshop: a script must not fill a workshop with participants.
		const waitMs = await guestJoinWaitMs(workshop.id, address);
		if (waitMs > 0) {
			return fail(429, formState({ values: form.data, message: m.join_guest_rate_limited({ minutes: minutesOf(waitMs) }) }));
		}
		const { token } = await joinAsGuest(workshop.id, form.data, deviceId);
		await recordGuestJoin(workshop.id, address);
		// Scoped to this workshop: the cookie's token is only valid for this workshop's participant row.
		cookies.set(guestCookieName(workshop.id), token, {
			path: '/',
			httpOnly: true,
			sameSite: 'lax',
			secure: secureCookies(url),
			maxAge: guestCookieMaxAge
		});
		redirect(303, boardOf(workshop.id));
	}
};
