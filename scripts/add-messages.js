// Adds or replaces messages in all three languages in one read-modify-write:
//   node scripts/add-messages.js < new.json    where new.json is { "key": { "fi": "…", "sv": "…", "en": "…" } }
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const additions = JSON.parse(readFileSync(0, 'utf8'));
for (const locale of ['fi', 'sv', 'en']) {
	const path = join(import.meta.dirname, '..', 'messages', `${locale}.json`);
	const messages = JSON.parse(readFileSync(path, 'utf8'));
	for (const [key, texts] of Object.entries(additions)) {
		if (!texts[locale]) throw new Error(`${key} has no ${locale} text`);
		messages[key] = texts[locale];
	}
	writeFileSync(path, JSON.stringify(messages, null, '\t') + '\n');
}
console.log(`added ${Object.keys(additions).length} messages`);
