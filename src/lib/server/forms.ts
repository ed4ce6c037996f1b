import busboy from 'busboy';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
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

export type UploadedFile = { name: string; bytes: Uint8Array };

/**
 * A multipart form with one file, read chunk by chunk as it arrives (busboy). The platform's `request.formData()`
 * parses the whole body in one synchronous piece: a 10 MB upload held the event loop 250–490 ms on a busy machine.
 * The file is kept up to `maxBytes + 1` bytes, so a larger one is seen as too large without being stored whole.
 * A body that is not such a form gives no fields and no file (the schema then says what is missing).
 */
export async function readUploadForm(request: Request, options: { file: string; maxBytes: number }) {
	const fields: Record<string, string> = {};
	let file: UploadedFile | null = null;
	const contentType = request.headers.get('content-type') ?? '';
	if (!request.body || !contentType.toLowerCase().startsWith('multipart/form-data')) return { fields, file };
	let parser: busboy.Busboy;
	try {
		parser = busboy({ headers: { 'content-type': contentType }, limits: { files: 1, fields: 20, fieldSize: 1024, fileSize: options.maxBytes + 1 } });
	} catch {
		return { fields, file }; // no boundary
	}
	const chunks: Buffer[] = [];
	let name = '';
	let hasFile = false;
	const done = new Promise<boolean>((resolve) => {
		parser.on('field', (key, value) => (fields[key] = value));
		parser.on('file', (key, stream, info) => {
			if (key !== options.file || hasFile) return stream.resume();
			hasFile = true;
			name = info.filename ?? '';
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
		});
		parser.on('close', () => resolve(true));
		parser.on('error', () => resolve(false));
	});
	Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>)
		.on('error', () => parser.destroy())
		.pipe(parser);
	if (!(await done)) return { fields, file };
	if (hasFile) file = { name, bytes: Buffer.concat(chunks) };
	return { fields, file };
}
