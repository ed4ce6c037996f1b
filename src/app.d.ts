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
	}
}

export {};
