import type { SessionValidation } from '$lib/server/session';

declare global {
	namespace App {
		interface Locals {
			user: SessionValidation['user'] | null;
			session: SessionValidation['session'] | null;
		}
		interface Error {
			message: string;
		}
		interface PageData {
			/** A workshop room (board, projector): the page brings its own header; no site header or footer. */
			room?: boolean;
		}
	}
}

export {};
