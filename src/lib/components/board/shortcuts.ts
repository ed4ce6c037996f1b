// The board's one-key shortcuts (N: write a note, ?: list the shortcuts) and the switch that turns them off.

/** Dispatched on `document` to open the shortcuts dialog. */
export const shortcutsEvent = 'verstas:shortcuts';

const storageKey = 'verstas:single-key-shortcuts';

export const singleKeyShortcuts = {
	enabled: () => localStorage.getItem(storageKey) !== 'off',
	set: (on: boolean) => localStorage.setItem(storageKey, on ? 'on' : 'off')
};

/** A key pressed while typing in a field, or with a modifier, is never a one-key shortcut. */
export function isSingleKey(event: KeyboardEvent) {
	if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return false;
	const target = event.target as HTMLElement | null;
	if (!target) return true;
	return !(target.isContentEditable || target.closest('input, textarea, select, [contenteditable="true"]'));
}
