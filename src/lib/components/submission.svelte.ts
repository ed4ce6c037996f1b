import type { SubmitFunction } from '@sveltejs/kit';

/**
 * A long form under `use:enhance`: its submit button is disabled while the answer is on its way, and what was typed
 * stays in the fields (an answer with errors must not empty the form). `use:enhance={submission.enhance}`.
 */
export class Submission {
	pending = $state(false);

	readonly enhance: SubmitFunction = () => {
		this.pending = true;
		return async ({ update }) => {
			try {
				await update({ reset: false });
			} finally {
				this.pending = false;
			}
		};
	};
}
