import type { SubmitFunction } from '@sveltejs/kit';
import { tick } from 'svelte';

/**
 * `use:enhance` for forms that change the page in place and keep what was typed. After the action focus-guard.ts
 * has put the focus back on the control used (or on the one the person moved to meanwhile); when the change removed
 * or disabled that control (e.g. "Previous phase" on the first phase) it went to <main>, and goes on to `fallback`
 * or the form's nearest focusable container instead.
 */
export function keepFocus(fallback?: () => HTMLElement | null | undefined): SubmitFunction {
	return ({ formElement }) =>
		async ({ update }) => {
			await update({ reset: false });
			await tick();
			const active = document.activeElement;
			if (active !== document.body && active?.id !== 'main') return;
			[fallback?.(), formElement.closest<HTMLElement>('[tabindex="-1"]')]
				.find((candidate) => candidate?.isConnected && !(candidate as HTMLButtonElement).disabled)
				?.focus();
		};
}
