/**
 * `{@attach dismissible}` on a <details> used as a pop-up (a menu, a list): a press outside it, Tab out of it or
 * Escape closes it, Escape returning focus to its summary, like any pop-up (an open one left behind covered the
 * board). Without JavaScript it is a plain <details>.
 */
export function dismissible(details: HTMLDetailsElement) {
	const onpointerdown = (event: PointerEvent) => {
		if (details.open && !details.contains(event.target as Node)) details.open = false;
	};
	const onkeydown = (event: KeyboardEvent) => {
		if (event.key !== 'Escape' || !details.open) return;
		event.stopPropagation();
		details.open = false;
		details.querySelector('summary')?.focus();
	};
	const onfocusout = (event: FocusEvent) => {
		// Only to a place outside it: a focus lost to nothing (a press on the page) is the pointer handler's.
		if (details.open && event.relatedTarget instanceof Node && !details.contains(event.relatedTarget)) details.open = false;
	};
	document.addEventListener('pointerdown', onpointerdown);
	details.addEventListener('keydown', onkeydown);
	details.addEventListener('focusout', onfocusout);
	return () => {
		document.removeEventListener('pointerdown', onpointerdown);
		details.removeEventListener('keydown', onkeydown);
		details.removeEventListener('focusout', onfocusout);
	};
}
