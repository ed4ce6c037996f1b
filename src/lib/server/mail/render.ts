import type { Locale } from '../db/schema';

// A message's text and HTML parts from one description, so both always say the same thing. Every text is escaped:
// user text (a pilot's name, a comment) never becomes markup. No images, no styles from outside, nothing tracked.

export type MailBlock =
	| { paragraph: string }
	| { heading: string }
	| { list: string[] }
	| { link: { label: string; url: string } };

export type MailContent = {
	locale: Locale;
	subject: string;
	/** The message's own heading (h1). */
	title: string;
	blocks: MailBlock[];
	/** Small print under a rule: why the person gets this, how to stop it. */
	footer?: MailBlock[];
};

export function escapeHtml(text: string) {
	return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function htmlBlock(block: MailBlock) {
	if ('paragraph' in block) return `<p>${escapeHtml(block.paragraph).replace(/\n/g, '<br>')}</p>`;
	if ('heading' in block) return `<h2 style="font-size:1.15em;margin:1.2em 0 .4em">${escapeHtml(block.heading)}</h2>`;
	if ('list' in block) return `<ul>${block.list.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
	// Only http(s) links: a URL is ours, but it is checked anyway so no text can become a javascript: link.
	const url = /^https?:\/\//i.test(block.link.url) ? block.link.url : '#';
	return `<p><a href="${escapeHtml(url)}" style="color:#0b4f9c;text-decoration:underline">${escapeHtml(block.link.label)}</a></p>`;
}

function textBlock(block: MailBlock) {
	if ('paragraph' in block) return block.paragraph;
	if ('heading' in block) return `${block.heading}\n${'-'.repeat(Math.min(block.heading.length, 60))}`;
	if ('list' in block) return block.list.map((item) => `- ${item}`).join('\n');
	return `${block.link.label}:\n${block.link.url}`;
}

export function renderMail(content: MailContent) {
	const text = [content.title, '='.repeat(Math.min(content.title.length, 60)), ...content.blocks.map(textBlock)].join('\n\n');
	const footerText = content.footer?.length ? `\n\n-- \n${content.footer.map(textBlock).join('\n\n')}` : '';
	const footerHtml = content.footer?.length
		? `<hr style="border:0;border-top:1px solid #bbb;margin:2em 0 1em"><footer style="font-size:.9em;color:#333">${content.footer.map(htmlBlock).join('')}</footer>`
		: '';
	const html =
		`<!doctype html><html lang="${content.locale}"><head><meta charset="utf-8">` +
		`<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(content.subject)}</title></head>` +
		`<body style="margin:0;background:#ffffff;color:#1a1a1a;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5">` +
		`<main style="max-width:40em;margin:0 auto;padding:1.5em 1em"><h1 style="font-size:1.4em;margin:0 0 .8em">${escapeHtml(content.title)}</h1>` +
		content.blocks.map(htmlBlock).join('') +
		footerHtml +
		`</main></body></html>`;
	return { subject: content.subject, text: text + footerText + '\n', html };
}
