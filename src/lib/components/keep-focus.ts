import type { SubmitFunction } from '@sveltejs/kit';
import { tick } from 'svelte';

/**
 * `use:enhance` for forms that change the page in place: SvelteKit resets focus after a successful action, as after a
 * navigation, which drops a keyboard user at the page's start. Focus goes back to the control used instead; when
 * that control is gone or disabled by the change (e.g. "Previous phase" on the first phase), to `fallback`.
 */
export function keepFocus(fallback?: () => HTMLElement | null | undefined): SubmitFunction {
	return ({ submitter, formElement }) =>
		async ({ update }) => {
			await update({ reset: false });
			await tick();
			const target = [submitter, fallback?.(), formElement.closest<HTMLElement>('[tabindex="-1"]')].find(
				(candidate): candidate is HTMLElement =>
					candidate instanceof HTMLElement && candidate.isConnected && !(candidate as HTMLButtonElement).disabled
			);
			target?.focus();
		};
}
