/**
 * `{@attach dismissible}` on a <details> used as a pop-up (a menu, a list): a press outside it or Escape closes it,
 * Escape returning focus to its summary, like any pop-up. Without JavaScript it is a plain <details>.
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
	document.addEventListener('pointerdown', onpointerdown);
	details.addEventListener('keydown', onkeydown);
	return () => {
		document.removeEventListener('pointerdown', onpointerdown);
		details.removeEventListener('keydown', onkeydown);
	};
}
