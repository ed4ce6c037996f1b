import type { SubmitFunction } from '@sveltejs/kit';
import { tick } from 'svelte';

/**
 * `use:enhance` for forms that change the page in place: SvelteKit resets focus after a successful action, as after a
 * navigation, which drops a keyboard user at the page's start. Focus goes back to the control used instead; when
 * that control is gone or disabled by the change (e.g. "Previous phase" on the first phase), to `fallback`. A control
 * the person moved to while the action was on its way keeps the focus (a slow answer must not pull them back).
 */
export function keepFocus(fallback?: () => HTMLElement | null | undefined): SubmitFunction {
	return ({ submitter, formElement }) => {
		let movedTo: HTMLElement | null = null;
		const track = (event: FocusEvent) => {
			if (event.target instanceof HTMLElement && event.target !== document.body && event.target !== submitter) movedTo = event.target;
		};
		document.addEventListener('focusin', track);
		return async ({ update }) => {
			try {
				await update({ reset: false });
				await tick();
			} finally {
				document.removeEventListener('focusin', track);
			}
			const target = [movedTo, submitter, fallback?.(), formElement.closest<HTMLElement>('[tabindex="-1"]')].find(
				(candidate): candidate is HTMLElement =>
					candidate instanceof HTMLElement && candidate.isConnected && !(candidate as HTMLButtonElement).disabled
			);
			target?.focus();
		};
	};
}
