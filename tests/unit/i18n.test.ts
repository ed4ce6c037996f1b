import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'svelte/compiler';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const messages = Object.fromEntries(
	['fi', 'sv', 'en'].map((locale) => [
		locale,
		JSON.parse(readFileSync(join(root, 'messages', `${locale}.json`), 'utf8')) as Record<string, Message>
	])
);
/** A simple text, or a variant message (plural forms) of the message-format plugin. */
type Message = string | [{ declarations: string[]; selectors: string[]; match: Record<string, string> }];
const keys = (locale: string) => Object.keys(messages[locale]!).filter((key) => key !== '$schema').sort();
/** Every text a person may read: a simple message, or each form of a variant one. */
const texts = (message: Message) => (typeof message === 'string' ? [message] : Object.values(message[0].match));
/** What the caller passes: a simple message's {placeholders}, a variant message's inputs. */
const params = (message: Message) =>
	typeof message === 'string'
		? [...new Set([...message.matchAll(/\{(\w+)\}/g)].map((match) => match[1]))].sort()
		: message[0].declarations.flatMap((line) => /^input (\w+)$/.exec(line)?.[1] ?? []).sort();

function svelteFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (name === 'paraglide') return [];
		if (statSync(path).isDirectory()) return svelteFiles(path);
		return path.endsWith('.svelte') ? [path] : [];
	});
}

type Node = { type: string; data?: string; name?: string; value?: unknown; [key: string]: unknown };
const textAttributes = new Set(['aria-label', 'title', 'placeholder', 'alt', 'aria-description']);

/** Letters written straight into markup, where a translation should be. */
function hardCodedTexts(node: unknown, found: string[] = []): string[] {
	if (!node || typeof node !== 'object') return found;
	const current = node as Node;
	if (current.type === 'Text' && /\p{L}/u.test(current.data ?? '')) found.push(current.data!.trim());
	if (current.type === 'Attribute') {
		// Only attributes people read or hear; others (type, name, href…) are code.
		if (textAttributes.has(current.name!) && Array.isArray(current.value)) {
			for (const part of current.value as Node[]) if (part.type === 'Text' && /\p{L}/u.test(part.data ?? '')) found.push(part.data!);
		}
		return found;
	}
	for (const [key, value] of Object.entries(current)) {
		if (key === 'instance' || key === 'module' || key === 'css') continue;
		if (Array.isArray(value)) value.forEach((child) => hardCodedTexts(child, found));
		else if (value && typeof value === 'object') hardCodedTexts(value, found);
	}
	return found;
}

describe('messages', () => {
	it('Swedish and English have exactly the Finnish keys', () => {
		expect(keys('sv')).toEqual(keys('fi'));
		expect(keys('en')).toEqual(keys('fi'));
	});

	it('no message is empty and every translation has the same parameters', () => {
		for (const key of keys('fi')) {
			for (const locale of ['fi', 'sv', 'en'])
				for (const text of texts(messages[locale]![key]!)) expect(text.trim(), `${locale}.${key}`).not.toBe('');
			expect(params(messages.sv![key]!), `sv.${key}`).toEqual(params(messages.fi![key]!));
			expect(params(messages.en![key]!), `en.${key}`).toEqual(params(messages.fi![key]!));
		}
	});

	it('no component writes user-visible text outside the message files', () => {
		const offenders = svelteFiles(join(root, 'src')).flatMap((file) => {
			const ast = parse(readFileSync(file, 'utf8'), { modern: true });
			return hardCodedTexts(ast.fragment).map((text) => `${relative(root, file)}: "${text}"`);
		});
		expect(offenders).toEqual([]);
	});
});
