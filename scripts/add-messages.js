// Adds or replaces messages in all three languages in one read-modify-write:
//   node scripts/add-messages.js < new.json    where new.json is { "key": { "fi": "…", "sv": "…", "en": "…" } }
// A message whose words depend on a number takes a plural form per language instead of a string:
//   "fi": { "plural": "count", "one": "{count} kokeilu", "other": "{count} kokeilua" }
//   "fi": { "plural": ["areas", "values"], "one, one": "…", "one, *": "…", "*, one": "…", "*, *": "…" }
// It is written as the message format's variant message: the number is chosen on with Intl plural rules
// (one/other in fi, sv and en) and shown formatted for the locale ({count} becomes {countText}).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The message-format plugin's variant message for a { plural, …forms } entry. */
export function pluralMessage({ plural, ...forms }) {
	const counts = Array.isArray(plural) ? plural : [plural];
	const inputs = [...counts];
	for (const text of Object.values(forms))
		for (const [, name] of text.matchAll(/\{(\w+)\}/g)) if (!inputs.includes(name)) inputs.push(name);
	const show = (text) => text.replace(/\{(\w+)\}/g, (whole, name) => (counts.includes(name) ? `{${name}Text}` : whole));
	const match = {};
	for (const [categories, text] of Object.entries(forms)) {
		const parts = categories.split(',').map((part) => part.trim());
		if (parts.length !== counts.length) throw new Error(`"${categories}" does not give a form for each of ${counts.join(', ')}`);
		match[parts.map((part, i) => `${counts[i]}Plural=${part}`).join(', ')] = show(text);
	}
	return [
		{
			declarations: [
				...inputs.map((name) => `input ${name}`),
				...counts.flatMap((name) => [`local ${name}Plural = ${name}: plural`, `local ${name}Text = ${name}: number`])
			],
			selectors: counts.map((name) => `${name}Plural`),
			match
		}
	];
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const additions = JSON.parse(readFileSync(0, 'utf8'));
	for (const locale of ['fi', 'sv', 'en']) {
		const path = join(import.meta.dirname, '..', 'messages', `${locale}.json`);
		const messages = JSON.parse(readFileSync(path, 'utf8'));
		for (const [key, texts] of Object.entries(additions)) {
			const text = texts[locale];
			if (!text) throw new Error(`${key} has no ${locale} text`);
			messages[key] = typeof text === 'object' && 'plural' in text ? pluralMessage(text) : text;
		}
		writeFileSync(path, JSON.stringify(messages, null, '\t') + '\n');
	}
	console.log(`added ${Object.keys(additions).length} messages`);
}
