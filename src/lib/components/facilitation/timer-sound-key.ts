// Where a device remembers that its timer's end sound is on: read by every countdown (a phone never loads the sound's
// code unless it is on), written by SoundToggle through timer-sound.svelte.ts.
export const timerSoundKey = 'verstas:timer-sound';
