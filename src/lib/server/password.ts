import { hash, verify } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as finnish from '@zxcvbn-ts/language-fi';

// Argon2id (the library's default algorithm) at OWASP's minimum: 19 MiB, 2 iterations, 1 lane.
const options = { memoryCost: 19456, timeCost: 2, outputLen: 32, parallelism: 1 } as const;

export function hashPassword(password: string) {
	return hash(password, options);
}

export async function verifyPassword(passwordHash: string, password: string) {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

let dummyHash: Promise<string> | undefined;

/** Spends the same time as a real check, so response times do not reveal which emails have accounts. */
export async function verifyAgainstDummy(password: string) {
	dummyHash ??= hashPassword('verstas-dummy-password');
	await verifyPassword(await dummyHash, password);
	return false;
}

/**
 * zxcvbn's score 3 ("safely unguessable", over 10⁸ guesses) is the least a new password must reach: its lists of
 * common and breached passwords and Finnish words, repeats ("aaaaaaaaaa"), sequences and keyboard walks all count
 * against it. Checked on the server only; the matcher (≈ 0.4 s to build) is built on the first check.
 */
export const minPasswordScore = 3;
let strengthChecker: ZxcvbnFactory | undefined;

export function isGuessablePassword(password: string) {
	strengthChecker ??= new ZxcvbnFactory({
		dictionary: { ...common.dictionary, ...finnish.dictionary },
		graphs: common.adjacencyGraphs
	});
	return strengthChecker.check(password).score < minPasswordScore;
}
