import MailComposer from 'nodemailer/lib/mail-composer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import { generateSecureRandomString } from '../session';
import { claimNextMail, expireMailLeases, settleMail, wakeSymbol, type MailRow } from './outbox';

// Sends the outbox over SMTP (nodemailer's SMTP connection). At most once: a row is claimed atomically under a
// lease before anything is sent, and its outcome is written by the claimant only. A message refused by the server
// (an SMTP reply, or no connection at all) is certainly not delivered and is retried with exponential backoff; once
// its content has started to flow, a broken connection or a dead process leaves the outcome unknown, and the
// message is marked uncertain instead of being sent again (an admin may resend it).

function envInteger(env: NodeJS.ProcessEnv, name: string, fallback: number) {
	const value = Number(env[name]);
	return env[name] !== undefined && env[name] !== '' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

export type SmtpSettings = { host: string; port: number; secure: boolean; user?: string; pass?: string };

/** SMTP_URL (smtp://user:pass@host:587, smtps://… for TLS from the start) or SMTP_HOST/PORT/USER/PASS/SECURE. */
export function smtpSettings(env: NodeJS.ProcessEnv = process.env): SmtpSettings | null {
	if (env.SMTP_URL) {
		let url: URL;
		try {
			url = new URL(env.SMTP_URL);
		} catch {
			throw new Error('SMTP_URL is not a URL (expected smtp://user:password@host:587 or smtps://…)');
		}
		const secure = url.protocol === 'smtps:';
		return {
			host: url.hostname,
			port: Number(url.port) || (secure ? 465 : 587),
			secure,
			user: url.username ? decodeURIComponent(url.username) : undefined,
			pass: url.password ? decodeURIComponent(url.password) : undefined
		};
	}
	if (!env.SMTP_HOST) return null;
	const secure = env.SMTP_SECURE === 'true' || env.SMTP_SECURE === '1';
	return {
		host: env.SMTP_HOST,
		port: envInteger(env, 'SMTP_PORT', secure ? 465 : 587),
		secure,
		user: env.SMTP_USER || undefined,
		pass: env.SMTP_PASS || undefined
	};
}

export function mailFrom(env: NodeJS.ProcessEnv = process.env) {
	if (env.MAIL_FROM) return env.MAIL_FROM;
	let host = 'localhost';
	try {
		host = new URL(env.ORIGIN || 'http://localhost').hostname;
	} catch {
		// keep localhost
	}
	return `Verstas <noreply@${host}>`;
}

export type WorkerSettings = {
	/** Base of the backoff: the n-th retry waits base × 2^(n−1), at most six hours. */
	retryBaseMs: number;
	maxAttempts: number;
	/** How long a claim holds; a send is cut off at half of it, so a live sender always settles in time. */
	leaseMs: number;
	pollMs: number;
};

export function workerSettings(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
	return {
		retryBaseMs: envInteger(env, 'VERSTAS_MAIL_RETRY_BASE_MS', 60_000),
		maxAttempts: Math.max(1, envInteger(env, 'VERSTAS_MAIL_MAX_ATTEMPTS', 8)),
		leaseMs: Math.max(1000, envInteger(env, 'VERSTAS_MAIL_LEASE_MS', 120_000)),
		pollMs: Math.max(10, envInteger(env, 'VERSTAS_MAIL_POLL_MS', 5_000))
	};
}

export function backoffMs(attempts: number, baseMs: number) {
	return Math.min(6 * 60 * 60_000, baseMs * 2 ** Math.max(0, attempts - 1));
}

type AttemptOutcome = { delivered: true } | { delivered: false; handedOver: boolean; error: string; permanent: boolean };

async function compose(row: MailRow, from: string) {
	const composer = new MailComposer({
		from,
		to: row.to,
		subject: row.subject,
		text: row.text,
		html: row.html,
		messageId: row.messageId,
		headers: { 'Auto-Submitted': 'auto-generated', ...row.headers },
		attachments: row.attachments.map((attachment) => ({
			filename: attachment.filename,
			contentType: attachment.contentType,
			content: Buffer.from(attachment.content, 'base64')
		}))
	});
	return composer.compile().build();
}

/** One message over one SMTP connection. */
async function attemptSend(row: MailRow, smtp: SmtpSettings, from: string, timeoutMs: number): Promise<AttemptOutcome> {
	const message = await compose(row, from);
	const envelope = { from: extractAddress(from), to: [row.to] };
	// Set when the connection starts reading the message (after the server's 354): from then on a break leaves the
	// outcome unknown.
	let handedOver = false;
	const body = new Readable({
		read() {
			handedOver = true;
			this.push(message);
			this.push(null);
		}
	});
	const connection = new SMTPConnection({
		host: smtp.host,
		port: smtp.port,
		secure: smtp.secure,
		connectionTimeout: Math.min(30_000, timeoutMs),
		greetingTimeout: Math.min(30_000, timeoutMs),
		socketTimeout: Math.min(60_000, timeoutMs)
	});
	const outcome = await new Promise<AttemptOutcome>((resolve) => {
		let settled = false;
		const finish = (outcome: AttemptOutcome) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			resolve(outcome);
		};
		const fail = (error: unknown) => {
			const responseCode = (error as { responseCode?: number }).responseCode;
			finish({
				delivered: false,
				// A reply from the server is an answer: 5xx refuses for good, 4xx asks to try later.
				handedOver: responseCode ? false : handedOver,
				permanent: Boolean(responseCode && responseCode >= 500),
				error: String((error as Error).message ?? error).slice(0, 500)
			});
		};
		const timer = setTimeout(() => {
			fail(new Error(`no answer within ${timeoutMs} ms`));
			connection.close();
		}, timeoutMs);
		connection.on('error', fail);
		connection.connect((error) => {
			if (error) return fail(error);
			const send = () =>
				connection.send(envelope, body, (error) => {
					if (error) return fail(error);
					finish({ delivered: true });
					connection.quit();
				});
			if (smtp.user) connection.login({ user: smtp.user, pass: smtp.pass ?? '' }, (error) => (error ? fail(error) : send()));
			else send();
		});
	});
	if (!outcome.delivered) connection.close();
	return outcome;
}

function extractAddress(from: string) {
	return from.match(/<([^>]+)>/)?.[1] ?? from.trim();
}

export type WorkerOptions = { owner: string; smtp: SmtpSettings; from: string; settings: WorkerSettings; now?: () => Date };

/** Sends every due message, one after another; returns how many were attempted. */
export async function sendDueMail(options: WorkerOptions) {
	const now = options.now ?? (() => new Date());
	const { settings } = options;
	await expireMailLeases(now());
	let attempted = 0;
	for (;;) {
		const row = await claimNextMail(options.owner, new Date(now().getTime() + settings.leaseMs), now());
		if (!row) return attempted;
		attempted++;
		let outcome: AttemptOutcome;
		try {
			outcome = await attemptSend(row, options.smtp, options.from, Math.floor(settings.leaseMs / 2));
		} catch (error) {
			// Composing failed (nothing reached the server): a fault of ours, not worth retrying.
			outcome = { delivered: false, handedOver: false, permanent: true, error: String((error as Error).message ?? error) };
		}
		if (outcome.delivered) await settleMail(row.id, options.owner, { status: 'sent' }, now());
		else if (outcome.handedOver) await settleMail(row.id, options.owner, { status: 'uncertain', error: outcome.error }, now());
		else if (outcome.permanent || row.attempts >= settings.maxAttempts)
			await settleMail(row.id, options.owner, { status: 'failed', error: outcome.error }, now());
		else
			await settleMail(
				row.id,
				options.owner,
				{ status: 'queued', error: outcome.error, nextAttemptAt: new Date(now().getTime() + backoffMs(row.attempts, settings.retryBaseMs)) },
				now()
			);
	}
}

export type MailWorker = { wake: () => void; stop: () => Promise<void> };

/**
 * The process's worker: every pollMs (and at once when woken) it runs `tasks` (scheduled reminders and digests
 * are queued there) and then sends what is due, if SMTP is configured; without SMTP, mail stays in the outbox.
 */
export function startMailWorker(tasks: (now: Date) => void | Promise<void> = () => {}, env: NodeJS.ProcessEnv = process.env): MailWorker {
	const settings = workerSettings(env);
	const smtp = smtpSettings(env);
	const owner = `${hostname()}:${process.pid}:${generateSecureRandomString(8)}`;
	let running: Promise<void> | null = null;
	let again = false;
	let stopped = false;

	const tick = () => {
		if (stopped) return;
		if (running) {
			again = true;
			return;
		}
		running = (async () => {
			try {
				await tasks(new Date());
				if (smtp) await sendDueMail({ owner, smtp, from: mailFrom(env), settings });
			} catch (error) {
				console.error('Verstas: mail worker', error);
			}
		})().finally(() => {
			running = null;
			if (again && !stopped) {
				again = false;
				setImmediate(tick);
			}
		});
	};
	const interval = setInterval(tick, settings.pollMs);
	(globalThis as Record<symbol, unknown>)[wakeSymbol] = () => setImmediate(tick);
	interval.unref();
	setImmediate(tick);
	return {
		wake: () => setImmediate(tick),
		async stop() {
			stopped = true;
			clearInterval(interval);
			delete (globalThis as Record<symbol, unknown>)[wakeSymbol];
			// A send under way is let finish, so its outcome is recorded (else it would be marked uncertain).
			await running;
		}
	};
}
