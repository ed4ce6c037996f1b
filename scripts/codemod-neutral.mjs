// One-off codemod for PostgreSQL (issue 20): drizzle's SQLite-only terminals on the asynchronous database become the
// dialect-neutral forms: `q.get()` → `first(q)` (`one(q)` for a write's returned row), `q.all()` / `q.run()` → `q` (a drizzle query is awaitable).
// The synchronous database's terminals (not promises) are left alone.
//   node scripts/codemod-neutral.mjs [--dry]
import ts from 'typescript';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve, relative } from 'node:path';

const root = resolve('.');
const dry = process.argv.includes('--dry');
const config = ts.getParsedCommandLineOfConfigFile(resolve('tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
const prog = ts.createProgram({ rootNames: config.fileNames.filter((f) => !f.endsWith('.svelte')), options: config.options });
const checker = prog.getTypeChecker();
let total = 0;
for (const sf of prog.getSourceFiles()) {
	const file = sf.fileName;
	if (!file.startsWith(root + '/') || file.includes('/node_modules/') || file.includes('/.svelte-kit/')) continue;
	const edits = [];
	const visit = (node) => {
		if (ts.isCallExpression(node) && node.arguments.length === 0 && ts.isPropertyAccessExpression(node.expression) && ['get', 'all', 'run'].includes(node.expression.name.text)) {
			const declaration = checker.getResolvedSignature(node)?.getDeclaration();
			const type = checker.getTypeAtLocation(node);
			if (declaration?.getSourceFile().fileName.includes('drizzle-orm') && type.getSymbol()?.getName() === 'Promise') {
				const receiver = node.expression.expression;
				const inner = receiver.getText(sf);
				edits.push({ start: node.getStart(sf), end: node.getEnd(), text: node.expression.name.text !== 'get' ? inner : /\.returning\(/.test(inner) ? `one(${inner})` : `first(${inner})`, get: node.expression.name.text === 'get' });
			}
		}
		ts.forEachChild(node, visit);
	};
	visit(sf);
	// Outermost edits only (inner ones are inside their text and rewritten on the next run).
	const outer = edits.filter((e) => !edits.some((o) => o !== e && o.start <= e.start && o.end >= e.end));
	if (!outer.length) continue;
	let text = readFileSync(file, 'utf8');
	for (const edit of outer.sort((a, b) => b.start - a.start)) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
	total += outer.length;
	console.log(`${relative(root, file)}: ${outer.length}${outer.some((e) => e.get) ? ' (uses first)' : ''}`);
	if (!dry) writeFileSync(file, text);
}
console.log(`${total} rewritten`);
