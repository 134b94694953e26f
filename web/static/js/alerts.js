// An optional alert on a new inject, for a player whose tab is behind another or whose eyes are on
// paper: a short tone (made by the Web Audio API: no sound file) and a desktop notification. Off
// until the player turns it on; the choice is kept with the seat's other UI memory.

import { t } from './i18n.js';

export class InjectAlerts {
  constructor(box, memory) {
    this.box = box;
    this.memory = memory;
    this.audio = null;
    box.checked = memory.get('alerts', false);
    box.addEventListener('change', () => this.turned(box.checked));
  }

  // Turned on by a click: the browser lets a page make sound and ask for notifications only then.
  async turned(on) {
    this.memory.set('alerts', on);
    if (!on) return;
    this.audio = this.audio || new AudioContext();
    await this.audio.resume();
    if ('Notification' in window && Notification.permission === 'default') await Notification.requestPermission();
  }

  announce(inject) {
    if (!this.box.checked) return;
    if (this.audio?.state === 'running') {
      const tone = this.audio.createOscillator();
      const gain = this.audio.createGain();
      gain.gain.setValueAtTime(0.2, this.audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, this.audio.currentTime + 0.4);
      tone.frequency.value = 880;
      tone.connect(gain).connect(this.audio.destination);
      tone.start();
      tone.stop(this.audio.currentTime + 0.4);
    }
    if ('Notification' in window && Notification.permission === 'granted') {
      new Notification(inject.title, { body: t('From {sender}', { sender: inject.from }), tag: inject.id }); // eslint-disable-line no-new
    }
  }
}
