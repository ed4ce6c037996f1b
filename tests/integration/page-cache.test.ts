// Rendered pages answered again (src/lib/server/page-cache.ts), on a real database: which requests may reuse a
// render, and that any write, another user, URL or language means a fresh one. `resolve` stands for SvelteKit's
// render and counts how often it runs; the production server's behaviour is in outcomes.test.ts.
import type { Handle } from '@sveltejs/kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { overwriteGetLocale } from '../../src/lib/paraglide/runtime.js';
import * as Y from 'yjs';
import { openBoardStore, privateRoomName } from '../../src/lib/server/collab';
import { getDb } from '../../src/lib/server/db';
import { reuseRenderedPage } from '../../src/lib/server/page-cache';
import { createUser } from '../../src/lib/server/users';
import { newGuest, newWorkshop } from '../helpers/collab';

type Event = Parameters<Handle>[0]['event'];
let renders = 0;
let answer: () => Response;
// What SvelteKit answers: a CSP with this response's nonce, and the start-up script carrying it.
const renderNonce = 'bm9uY2Utb2YtdGhlLXJlbmRlcg==';
const page = (body: string, nonce: string | null = renderNonce) =>
	new Response(`<main>${body}</main><script${nonce ? ` nonce="${nonce}"` : ''}>start()</script>`, {
		headers: { 'content-type': 'text/html', etag: '"e"', 'content-security-policy': `script-src 'self'${nonce ? ` 'nonce-${nonce}'` : ''}` }
	});

async function view(user: { id: string } | null, path = '/programmes/p1', options: Partial<Pick<Event, 'isDataRequest' | 'isSubRequest'>> & { method?: string; routeId?: string } = {}) {
	const url = new URL(`http://verstas.test${path}`);
	const event = {
		request: new Request(url, { method: options.method ?? 'GET' }),
		url,
		route: { id: options.routeId ?? '/programmes/[id]' },
		locals: { user, session: null },
		isDataRequest: options.isDataRequest ?? false,
		isSubRequest: options.isSubRequest ?? false
	} as unknown as Event;
	const response = await reuseRenderedPage({
		event,
		resolve: async () => {
			renders++;
			return answer();
		}
	});
	const html = await response.text();
	return {
		status: response.status,
		body: /<main>(.*)<\/main>/.exec(html)?.[1] ?? html,
		scriptNonce: /<script nonce="([^"]+)">/.exec(html)?.[1],
		cspNonce: /'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1],
		headers: response.headers
	};
}

let n = 0;
const newUser = () => createUser({ name: `Katsoja ${++n}`, email: `katsoja-${n}-${Date.now()}@example.fi`, password: 'salasana-123' });

beforeEach(() => {
	renders = 0;
	answer = () => page(`render ${renders}`);
});
afterEach(() => overwriteGetLocale(() => 'fi'));

describe('reusing a rendered page', () => {
	it('renders once while nothing is written, each answer with a fresh nonce, and again after any write', async () => {
		const user = await newUser();
		const first = await view(user);
		const second = await view(user);
		const third = await view(user);
		expect(renders).toBe(1);
		expect(second.body).toBe(first.body);
		expect(first.scriptNonce).toBe(renderNonce);
		for (const answer of [second, third]) {
			expect(answer.headers.get('content-type')).toBe('text/html');
			// The same fresh nonce in the header and the script; never one sent before.
			expect(answer.cspNonce).toBe(answer.scriptNonce);
			expect(answer.cspNonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
			// The render's ETag described the render's own nonce.
			expect(answer.headers.get('etag')).toBeNull();
		}
		expect(new Set([first.cspNonce, second.cspNonce, third.cspNonce]).size).toBe(3);

		await newUser(); // any write at all
		expect((await view(user)).body).toBe('render 2');
		expect((await view(user)).body).toBe('render 2');
		expect(renders).toBe(2);
	});

	it('keeps the page while only boards are edited (their update logs), not after any other write', async () => {
		const user = await newUser();
		const workshop = await newWorkshop(user.id);
		const guest = await newGuest(workshop.id, 'Vieras');
		await view(user);
		// During a workshop the board logs are written every second; nothing reused is read from them.
		const store = openBoardStore();
		const doc = new Y.Doc();
		doc.getMap('notes').set('n1', 'Idea');
		const update = Y.encodeStateAsUpdate(doc);
		for (const room of [workshop.id, privateRoomName(workshop.id, guest.participantId)]) {
			const last = await store.append(room, [update, update]);
			await store.compact(room, update, last);
		}
		await view(user);
		expect(renders).toBe(1);
		await newGuest(workshop.id, 'Toinen'); // any other write
		await view(user);
		expect(renders).toBe(2);
	});

	it('never answers one person with another person’s page, nor one URL or language with another’s', async () => {
		const [ada, bea] = [await newUser(), await newUser()];
		await view(ada);
		expect((await view(bea)).body).toBe('render 2');
		expect((await view(ada, '/programmes/p1?status=running')).body).toBe('render 3');
		overwriteGetLocale(() => 'sv');
		expect((await view(ada)).body).toBe('render 4');
		overwriteGetLocale(() => 'fi');
		expect((await view(ada)).body).toBe('render 1');
		expect(renders).toBe(4);
	});

	it('always renders for visitors, other routes, data requests, sub-requests and other methods', async () => {
		const user = await newUser();
		const cases = [
			() => view(null),
			() => view(user, '/workshops/w1', { routeId: '/workshops/[id]' }),
			() => view(user, '/programmes/p1', { isDataRequest: true }),
			() => view(user, '/programmes/p1', { isSubRequest: true }),
			() => view(user, '/programmes/p1', { method: 'POST' })
		];
		for (const request of cases) {
			const before = renders;
			await request();
			await request();
			expect(renders - before).toBe(2);
		}
	});

	it('keeps no error page, no answer that sets a cookie and none without a CSP nonce', async () => {
		const user = await newUser();
		answer = () => new Response('kielletty', { status: 403, headers: { 'content-type': 'text/html' } });
		await view(user);
		expect((await view(user)).status).toBe(403);
		expect(renders).toBe(2);

		answer = () => {
			const response = page(`render ${renders}`);
			response.headers.append('set-cookie', 'verstas_session=x; Path=/');
			return response;
		};
		await view(user);
		await view(user);
		expect(renders).toBe(4);

		answer = () => page(`render ${renders}`, null);
		await view(user);
		await view(user);
		expect(renders).toBe(6);
	});
});
