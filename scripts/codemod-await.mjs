// One-off codemod for the asynchronous domain layer (issue 20): awaits every call that now returns a Promise
// (drizzle's terminal query methods and the project's own functions), makes the enclosing functions async, and
// repeats until nothing changes. Prints the places that need a person (array callbacks, getters, constructors).
//   node scripts/codemod-await.mjs [--dry] [paths…]
import ts from 'typescript';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve, relative } from 'node:path';

const root = resolve('.');
const dry = process.argv.includes('--dry');
const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const skip = [/src\/lib\/server\/collab\//, /src\/lib\/server\/db\//, /src\/lib\/paraglide\//, /node_modules/, /\.svelte-kit/];
const okCallbacks = new Set(['transaction', 'unchangedSinceLastWrite', 'it', 'test', 'beforeAll', 'beforeEach', 'afterAll', 'afterEach', 'withAuditContext', 'then', 'withSqlite', 'reuseRenderedPage']);
const arrayMethods = new Set(['map', 'filter', 'some', 'every', 'find', 'findIndex', 'forEach', 'reduce', 'flatMap', 'sort', 'toSorted', 'findLast']);
const drizzleTerminals = new Set(['get', 'all', 'run', 'values', 'execute', 'transaction']);

function program() {
	const config = ts.getParsedCommandLineOfConfigFile(resolve('tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
	return ts.createProgram({ rootNames: config.fileNames.filter((f) => !f.endsWith('.svelte')), options: config.options });
}

function isPromise(checker, type) {
	const symbol = type.getSymbol() ?? type.aliasSymbol;
	if (symbol?.getName() === 'Promise') return true;
	if (type.isUnion()) return type.types.some((t) => t.getSymbol()?.getName() === 'Promise');
	return false;
}

function calleeDeclaration(checker, call) {
	const signature = checker.getResolvedSignature(call);
	return signature?.getDeclaration();
}

function functionOf(node) {
	for (let n = node.parent; n; n = n.parent) {
		if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) || ts.isGetAccessor(n) || ts.isConstructorDeclaration(n)) return n;
	}
	return null;
}

function isAsync(fn) {
	return !!fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
}

function asyncInsertPosition(fn, sf) {
	if (ts.isArrowFunction(fn)) return fn.getStart(sf);
	if (ts.isFunctionExpression(fn)) return fn.getStart(sf);
	if (ts.isFunctionDeclaration(fn)) {
		const keyword = fn.getChildren(sf).find((c) => c.kind === ts.SyntaxKind.FunctionKeyword);
		return keyword.getStart(sf);
	}
	if (ts.isMethodDeclaration(fn)) return fn.name.getStart(sf);
	return null;
}

function insideTry(node, fn) {
	for (let n = node.parent; n && n !== fn; n = n.parent) if (ts.isTryStatement(n.parent ?? {}) && n.parent.tryBlock === n) return true;
	return false;
}

let round = 0;
const notes = new Set();
for (;;) {
	round++;
	const prog = program();
	const checker = prog.getTypeChecker();
	const edits = new Map(); // file -> [{pos, text}]
	const removals = [];
	const add = (file, pos, text) => {
		const list = edits.get(file) ?? [];
		if (!list.some((e) => e.pos === pos && e.text === text)) list.push({ pos, text });
		edits.set(file, list);
	};
	for (const sf of prog.getSourceFiles()) {
		const file = sf.fileName;
		if (!file.startsWith(root) || skip.some((re) => re.test(file))) continue;
		if (only.length && !only.some((p) => file.includes(p))) continue;
		const visit = (node) => {
			if (ts.isCallExpression(node)) check(node);
			ts.forEachChild(node, visit);
		};
		const check = (call) => {
			let type;
			try {
				type = checker.getTypeAtLocation(call);
			} catch {
				return;
			}
			if (!isPromise(checker, type)) return;
			const decl = calleeDeclaration(checker, call);
			if (!decl) return;
			const declFile = decl.getSourceFile().fileName;
			const name = ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : ts.isIdentifier(call.expression) ? call.expression.text : '';
			const ours = declFile.startsWith(root + '/') && !declFile.includes('/node_modules/') && !declFile.includes('/paraglide/');
			const drizzle = declFile.includes('drizzle-orm') && drizzleTerminals.has(name);
			if (!ours && !drizzle) return;
			if (['then', 'catch', 'finally'].includes(name)) return;
			// already awaited / voided / returned
			let parent = call.parent;
			let outer = call;
			while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isNonNullExpression(parent) || ts.isSatisfiesExpression?.(parent)) {
				if (ts.isNonNullExpression(parent)) break;
				outer = parent;
				parent = parent.parent;
			}
			if (ts.isAwaitExpression(parent) || ts.isVoidExpression(parent)) return;
			// a promise chain (`f().catch(…)`) or one kept on purpose (`x ??= f()`)
			if (ts.isPropertyAccessExpression(parent) && ['then', 'catch', 'finally'].includes(parent.name.text)) return;
			if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.QuestionQuestionEqualsToken) return;
			const fn = functionOf(call);
			if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === outer)) {
				const annotated = fn && fn.type && !/^Promise</.test(fn.type.getText(sf));
				if (!insideTry(call, fn) && !annotated) return;
			}
			// arguments to Promise.all etc.
			if (ts.isArrayLiteralExpression(parent) || (ts.isCallExpression(parent) && parent.arguments.includes(outer))) {
				const target = ts.isCallExpression(parent) ? parent : parent.parent;
				if (ts.isCallExpression(target) && /Promise\.(all|allSettled|race)/.test(target.expression.getText(sf))) return;
			}
			const pos = call.getStart(sf);
			const line = sf.getLineAndCharacterOfPosition(pos).line + 1;
			const where = `${relative(root, file)}:${line}`;
			if (!fn) {
				notes.add(`${where}: top-level call ${call.expression.getText(sf).slice(0, 60)} (awaited at module level)`);
			} else if (ts.isGetAccessor(fn) || ts.isConstructorDeclaration(fn)) {
				notes.add(`${where}: in a getter/constructor: ${call.getText(sf).slice(0, 80)}`);
				return;
			} else {
				// callbacks to array methods etc.
				if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isCallExpression(fn.parent) && fn.parent.arguments.includes(fn)) {
					const callee = fn.parent.expression;
					const calleeName = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
					if (!okCallbacks.has(calleeName)) {
						notes.add(`${where}: inside a callback to ${calleeName}(): ${call.getText(sf).slice(0, 80)}`);
						if (arrayMethods.has(calleeName)) return;
					}
				}
				if (!isAsync(fn)) {
					const at = asyncInsertPosition(fn, sf);
					if (at == null) notes.add(`${where}: cannot make async`);
					else add(file, at, 'async ');
				}
			}
			const needsParens =
				(ts.isPropertyAccessExpression(parent) && parent.expression === outer) ||
				(ts.isElementAccessExpression(parent) && parent.expression === outer) ||
				(ts.isCallExpression(parent) && parent.expression === outer) ||
				ts.isNonNullExpression(parent) ||
				ts.isTaggedTemplateExpression(parent);
			if (needsParens) {
				add(file, outer.getStart(sf), '(await ');
				add(file, outer.getEnd(), ')');
			} else add(file, outer.getStart(sf), 'await ');
		};
		visit(sf);
		const extra = (node) => {
			if ((ts.isFunctionDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) && isAsync(node) && node.type && !node.asteriskToken) {
				const text = node.type.getText(sf);
				if (!/^Promise</.test(text)) {
					add(file, node.type.getStart(sf), 'Promise<');
					add(file, node.type.getEnd(), '>');
				}
			}
			if (ts.isPropertyAccessExpression(node) && node.name.text === 'changes') {
				const type = checker.getTypeAtLocation(node.expression);
				const name = type.getSymbol()?.getName() ?? type.aliasSymbol?.getName();
				if (name === 'SqliteRemoteResult') {
					add(file, node.expression.getStart(sf), 'changedRows(');
					add(file, node.expression.getEnd(), ')');
					// drop `.changes`
					removals.push({ file, start: node.expression.getEnd(), end: node.getEnd() });
				}
			}
			ts.forEachChild(node, extra);
		};
		extra(sf);
	}
	let count = 0;
	for (const r of removals) if (!edits.has(r.file)) edits.set(r.file, []);
	for (const [file, list] of edits) {
		let text = readFileSync(file, 'utf8');
		const ops = [...list, ...removals.filter((r) => r.file === file).map((r) => ({ pos: r.start, end: r.end }))];
		const rank = (op) => (op.end !== undefined ? 0 : op.text === ')' || op.text === '>' ? 1 : 2);
		ops.sort((a, b) => b.pos - a.pos || rank(a) - rank(b));
		for (const op of ops) text = op.end !== undefined ? text.slice(0, op.pos) + text.slice(op.end) : text.slice(0, op.pos) + op.text + text.slice(op.pos);
		if (ops.some((op) => op.end !== undefined) && !/import[^;]*changedRows/.test(text)) notes.add(`${relative(root, file)}: import changedRows`);
		count += ops.length;
		if (!dry) writeFileSync(file, text);
	}
	console.log(`round ${round}: ${count} edits in ${edits.size} files`);
	if (!count || dry || round > 12) break;
}
for (const note of [...notes].sort()) console.log(note);
