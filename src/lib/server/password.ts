import { hash, verify } from '@node-rs/argon2';

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
