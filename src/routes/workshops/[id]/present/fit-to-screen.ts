/** The notes are made no smaller than this (still read from the back of a room); a board that does not fit even then scrolls. */
const smallestScale = 0.7;

/**
 * `{@attach fitToScreen}` on the projector's board: nobody scrolls a projector, so when the notes run past the foot
 * of the screen the board is marked `data-crowded` and its notes are made smaller (and set side by side, app.css) a
 * step at a time until it fits.
 * Measured again when notes come, go or change and when the screen's size changes.
 */
export function fitToScreen(board: HTMLElement) {
	let frame = 0;
	const fit = () => {
		frame = 0;
		let scale = 1;
		board.style.setProperty('--present-scale', '1');
		delete board.dataset.crowded;
		const overflows = () => board.getBoundingClientRect().bottom + window.scrollY > window.innerHeight - 8;
		if (!overflows()) return;
		// Crowded: first the page around the board gives up what it can spare (the page's CSS says what), then the notes.
		board.dataset.crowded = '';
		while (scale > smallestScale && overflows()) {
			scale = Math.round((scale - 0.1) * 10) / 10;
			board.style.setProperty('--present-scale', String(scale));
		}
	};
	const measureSoon = () => {
		if (!frame) frame = requestAnimationFrame(fit);
	};
	const changes = new MutationObserver(measureSoon);
	changes.observe(board, { childList: true, subtree: true, characterData: true });
	window.addEventListener('resize', measureSoon);
	measureSoon();
	return () => {
		cancelAnimationFrame(frame);
		changes.disconnect();
		window.removeEventListener('resize', measureSoon);
	};
}
