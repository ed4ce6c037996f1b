import { statementPage } from '$lib/server/accessibility';

export const { load, actions } = statementPage('fi');
