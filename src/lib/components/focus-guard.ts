import { navigating } from '$app/state';

/**
 * SvelteKit puts the focus on <body> after a navigation and after every successful enhanced form action, as a page
 * load would: a keyboard or screen reader user would start again from the skip link. Installed once (the root
 * layout), this sends that focus to the control last used when it is still there (an action changed the page in
 * place, or a filter reloaded it with other parameters), else to the page's <main> (a new page: SvelteKit announces
 * its title). Focus that a page's own code moves afterwards (keep-focus.ts, a form's first error) still wins.
 */
export function guardFocus() {
	let lastUsed: HTMLElement | null = null;
	const redirect = (event: FocusEvent) => {
		const target = event.target;
		// SvelteKit's reset gives <body> tabindex="-1" for the moment it focuses it; nothing else in the app focuses <body>.
		if (target !== document.body || document.body.getAttribute('tabindex') !== '-1') {
			if (target instanceof HTMLElement && target !== document.body) lastUsed = target;
			return;
		}
		// A new page starts at its <main>; the same page with other parameters (a filter applied) keeps the control used.
		const samePage = !navigating.type || navigating.from?.url.pathname === navigating.to?.url.pathname;
		const stillThere = samePage && lastUsed?.isConnected && !(lastUsed as HTMLButtonElement).disabled && lastUsed.checkVisibility?.() !== false;
		// The control used is scrolled back into sight if the change pushed it off the screen (a message above it).
		if (stillThere) lastUsed!.focus();
		else document.getElementById('main')?.focus({ preventScroll: true });
	};
	document.addEventListener('focusin', redirect);
	return () => document.removeEventListener('focusin', redirect);
}
