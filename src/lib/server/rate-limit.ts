import { and, asc, eq, gt, lt } from 'drizzle-orm';
import { db } from './db';
import { failedSignIns } from './db/schema';

export const maxFailedSignIns = 10;
export const failedSignInWindowMs = 15 * 60 * 1000;

/** Milliseconds until this email may try again; 0 when it is not blocked. */
export function signInBlockedFor(email: string, now = Date.now()) {
	const recent = db
		.select({ attemptedAt: failedSignIns.attemptedAt })
		.from(failedSignIns)
		.where(and(eq(failedSignIns.email, email), gt(failedSignIns.attemptedAt, new Date(now - failedSignInWindowMs))))
		.orderBy(asc(failedSignIns.attemptedAt))
		.all();
	if (recent.length < maxFailedSignIns) return 0;
	// Blocked until enough of the window's failures have aged out to drop below the limit.
	const unblockingAttempt = recent[recent.length - maxFailedSignIns]!;
	return unblockingAttempt.attemptedAt.getTime() + failedSignInWindowMs - now;
}

export function recordFailedSignIn(email: string, now = Date.now()) {
	db.transaction((tx) => {
		tx.insert(failedSignIns).values({ email, attemptedAt: new Date(now) }).run();
		tx.delete(failedSignIns)
			.where(lt(failedSignIns.attemptedAt, new Date(now - failedSignInWindowMs)))
			.run();
	});
}

export function clearFailedSignIns(email: string) {
	db.delete(failedSignIns).where(eq(failedSignIns.email, email)).run();
}
