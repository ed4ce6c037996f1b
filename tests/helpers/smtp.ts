import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type ReceivedMail = { envelope: { from: string; to: string[] }; raw: Buffer; parsed: ParsedMail };
/** What the server answers a message's DATA with: nothing (250 OK), or an SMTP error code and text. */
export type SmtpReply = { code: number; message: string } | void;

/**
 * A real SMTP server (smtp-server from npm) on 127.0.0.1 port 0 that keeps every message it accepts, parsed by
 * mailparser. `onMessage` may answer with an error (e.g. 451) or hold the answer (return a promise) to test what a
 * sender does then; a message answered with an error is not kept in `messages`, but every one is in `attempts`.
 */
export async function startSmtpServer(options: { onMessage?: (mail: ReceivedMail, attempt: number) => SmtpReply | Promise<SmtpReply> } = {}) {
	const messages: ReceivedMail[] = [];
	const attempts: ReceivedMail[] = [];
	const waiters = new Set<() => void>();
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		// Closing does not wait for a held connection (a test that never answers one).
		closeTimeout: 200,
		// No reverse DNS of 127.0.0.1 for every connection.
		disableReverseLookup: true,
		onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', async () => {
				const raw = Buffer.concat(chunks);
				const mail: ReceivedMail = {
					envelope: {
						from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
						to: session.envelope.rcptTo.map((to) => to.address)
					},
					raw,
					parsed: await simpleParser(raw)
				};
				attempts.push(mail);
				waiters.forEach((wake) => wake());
				const reply = await options.onMessage?.(mail, attempts.length);
				if (reply) return callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
				messages.push(mail);
				waiters.forEach((wake) => wake());
				callback();
			});
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.server.address() as AddressInfo).port;

	/** Resolves once `test()` holds (checked on every message), or rejects after `timeoutMs`. */
	function until(test: () => boolean, timeoutMs = 10_000) {
		return new Promise<void>((resolve, reject) => {
			if (test()) return resolve();
			const timer = setTimeout(() => {
				waiters.delete(check);
				reject(new Error(`SMTP: condition not met within ${timeoutMs} ms (${messages.length} accepted, ${attempts.length} attempts)`));
			}, timeoutMs);
			const check = () => {
				if (!test()) return;
				clearTimeout(timer);
				waiters.delete(check);
				resolve();
			};
			waiters.add(check);
		});
	}

	return {
		port,
		url: `smtp://127.0.0.1:${port}`,
		messages,
		attempts,
		until,
		/** The first accepted message to `address` (waits for it). */
		async messageTo(address: string, timeoutMs?: number) {
			const find = () => messages.find((mail) => mail.envelope.to.includes(address));
			await until(() => Boolean(find()), timeoutMs);
			return find()!;
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

export type SmtpTestServer = Awaited<ReturnType<typeof startSmtpServer>>;
