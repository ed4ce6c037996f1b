import type { Cookies } from '@sveltejs/kit';
import { cookieMaxAge, cookieName } from '../paraglide/runtime.js';
import type { Locale } from './db/schema';

/** Paraglide reads this cookie on the server and in the browser, so it is not HttpOnly. */
export function setLocaleCookie(cookies: Cookies, locale: Locale) {
	cookies.set(cookieName, locale, { path: '/', httpOnly: false, sameSite: 'lax', maxAge: cookieMaxAge });
}
