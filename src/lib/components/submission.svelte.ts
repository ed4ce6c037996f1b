import type { SubmitFunction } from '@sveltejs/kit';
import { tick } from 'svelte';

/**
 * A long form under `use:enhance`: while the answer is on its way its submit button says so (aria-disabled, not
 * disabled: a disabled button loses the focus to <body>) and a second press sends nothing; what was typed stays in
 * the fields (an answer with errors must not empty the form), and the focus goes to the first field the answer
 * marked invalid (or data-invalid), its message beside it. `use:enhance={submission.enhance}`, `aria-disabled={submission.pending}`.
 */
export class Submission {
	pending = $state(false);

	readonly enhance: SubmitFunction = ({ cancel, formElement }) => {
		if (this.pending) return cancel();
		this.pending = true;
		return async ({ update, result }) => {
			try {
				await update({ reset: false });
			} finally {
				this.pending = false;
			}
			if (result.type !== 'failure') return;
			await tick();
			// A field, or a group of choices (its first choice): a group whose role takes no aria-invalid (a fieldset of
			// radios and checkboxes) is marked data-invalid.
			const invalid = formElement.querySelector<HTMLElement>('[aria-invalid="true"], [data-invalid]');
			(invalid?.matches('input, select, textarea') ? invalid : invalid?.querySelector<HTMLElement>('input, select, textarea'))?.focus();
		};
	};
}
