import { z } from 'zod';
import { passwordMinLength } from '../limits';
import { m } from '../paraglide/messages.js';
import { isGuessablePassword } from './password';

export type FieldErrors = Record<string, string>;

/** Validates a submitted form at the edge; error texts are already in the request's language. */
export function parseForm<Schema extends z.ZodType>(schema: Schema, formData: FormData) {
	const input: Record<string, string> = {};
	for (const [key, value] of formData) if (typeof value === 'string') input[key] = value;
	return parseInput(schema, input, withoutSecrets(input));
}

/** As parseForm, for input already shaped from the form (lists, nested rows); errors are keyed by path, e.g. `phases.2.title`. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown, values: Record<string, string> = {}) {
	const result = schema.safeParse(input);
	if (result.success) return { ok: true as const, data: result.data as z.output<Schema> };
	const errors: FieldErrors = {};
	for (const issue of result.error.issues) {
		const field = issue.path.length ? issue.path.join('.') : 'form';
		errors[field] ??= issue.message;
	}
	return { ok: false as const, errors, values };
}

/** Form values are echoed back to the page so nothing typed is lost, but passwords never are. */
function withoutSecrets(input: Record<string, string>) {
	return Object.fromEntries(Object.entries(input).filter(([key]) => !/password/i.test(key)));
}

export const requiredText = (max: number) =>
	z
		.string({ error: () => m.error_required() })
		.trim()
		.min(1, { error: () => m.error_required() })
		.max(max, { error: () => m.error_too_long({ max }) });

export const emailField = () =>
	z
		.string({ error: () => m.error_required() })
		.trim()
		.toLowerCase()
		.min(1, { error: () => m.error_required() })
		.pipe(z.email({ error: () => m.error_email_invalid() }).max(254, { error: () => m.error_email_invalid() }));


export const newPasswordField = () =>
	z
		.string({ error: () => m.error_required() })
		.min(passwordMinLength, { error: () => m.error_password_too_short({ min: passwordMinLength }), abort: true })
		.max(256, { error: () => m.error_too_long({ max: 256 }), abort: true })
		.refine((password) => !isGuessablePassword(password), { error: () => m.error_password_common() });

export const enumField = <const Values extends readonly [string, ...string[]]>(values: Values) =>
	z.enum(values, { error: () => m.error_choose_option() });

/** One shape for every action outcome, so pages read it without narrowing unions. */
export type FormState = {
	values?: Record<string, string>;
	errors?: FieldErrors;
	saved?: string;
	message?: string;
};

export const formState = (state: FormState) => state;
