// The timer's optional end sound: a short Web Audio beep, off by default, switched on per device (the facilitator's
// laptop, the projector's computer) and remembered in localStorage. Browsers start audio only after a user gesture,
// so the audio context is made (or resumed) on the switch itself and on the page's first click or key press.

import { timerSoundKey as storageKey } from './timer-sound-key';

class TimerSound {
	/** whether this device plays the sound (read from localStorage in the browser; always off on the server) */
	on = $state(false);
	#context: AudioContext | null = null;
	#loaded = false;

	/** Reads the stored choice; call from onMount (only the browser has localStorage). */
	load() {
		if (this.#loaded) return;
		this.#loaded = true;
		try {
			this.on = localStorage.getItem(storageKey) === 'on';
		} catch {
			// Storage may be blocked (private mode): the sound stays off.
		}
		const unlock = () => {
			if (this.on) this.#unlock();
		};
		window.addEventListener('pointerdown', unlock, { capture: true, passive: true });
		window.addEventListener('keydown', unlock, { capture: true });
	}

	set(on: boolean) {
		this.on = on;
		try {
			localStorage.setItem(storageKey, on ? 'on' : 'off');
		} catch {
			// Not remembered, but on for this page.
		}
		if (on) this.#unlock();
	}

	#unlock() {
		try {
			this.#context ??= new AudioContext();
			if (this.#context.state === 'suspended') void this.#context.resume();
		} catch {
			// No Web Audio: the visual cue remains.
		}
	}

	/** Two short soft tones (when switched on): enough to notice, short enough not to startle. */
	beep() {
		if (!this.on) return;
		this.#unlock();
		const context = this.#context;
		if (!context) return;
		const start = context.currentTime + 0.05;
		for (const [offset, frequency] of [
			[0, 880],
			[0.3, 660]
		] as const) {
			const oscillator = context.createOscillator();
			const gain = context.createGain();
			oscillator.type = 'sine';
			oscillator.frequency.value = frequency;
			// A gentle attack and release: no click at the start or the end of a tone.
			gain.gain.setValueAtTime(0, start + offset);
			gain.gain.linearRampToValueAtTime(0.25, start + offset + 0.02);
			gain.gain.linearRampToValueAtTime(0, start + offset + 0.25);
			oscillator.connect(gain).connect(context.destination);
			oscillator.start(start + offset);
			oscillator.stop(start + offset + 0.26);
		}
	}
}

/** One per page: every countdown and switch on the page shares it. */
export const timerSound = new TimerSound();
