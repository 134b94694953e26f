// The WebSocket to the server: hello with the last sequence number held (and the epoch of
// the log it counts in), automatic reconnection with resume, commands answered by ack or
// error. msgpack binary frames.
// Protocol 1.1: a command's id is its idempotency key, so a command left unanswered when the
// connection dropped is sent again, with the same id, after the reconnect; the answer settles it.

import { errorText, t } from './i18n.js';

// msgpack's classic script (view.html loads it before the modules run, where a view has a socket).
const encode = (value) => window.MessagePack.encode(value);
const decode = (bytes) => window.MessagePack.decode(bytes);
const PROTOCOL = 1.1;
const FATAL = () => ({ 4401: t('Your session is no longer valid. Sign in again.'), 4403: t('Your join code was revoked.'),
  4404: t('This exercise does not exist.'), 4400: t('The server refused this client.'),
  4410: t('You were removed from the exercise by the facilitator.') });

export class Connection {
  constructor({ exercise, token, onFrame, onState, onFatal }) {
    Object.assign(this, { exercise, token, onFrame, onState, onFatal });
    this.lastSeq = 0;
    this.epoch = null; // the log's history lastSeq counts in: a resume onto another is refused
    this.pending = new Map(); // id -> { resolve, reject, frame, ws }: sent, not yet answered
    this.nextId = 1;
    // Ids unique for the participant (a facilitator's tabs are one participant): random per page.
    this.idPrefix = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');
    this.retry = 0;
    this.stopped = false;
  }

  start() {
    const early = takeEarlySocket(this.exercise, this.token);
    if (early) this.adopt(early); else this.open();
  }

  // The socket early_socket.js opened while the modules downloaded: its hello is (or will be) the
  // one open() sends on a first connection, and the frames it kept are handled now, in order.
  adopt(early) {
    const { ws } = early;
    this.ws = ws;
    this.setState(early.helloSent ? 'catching up' : 'connecting');
    if (!early.helloSent && !early.closed) {
      const sendHello = ws.onopen;
      ws.onopen = () => { sendHello(); this.setState('catching up'); };
    }
    ws.onmessage = (e) => this.handle(decode(new Uint8Array(e.data)));
    ws.onclose = (e) => this.closed(e);
    for (const data of early.frames.splice(0)) this.handle(decode(new Uint8Array(data)));
    if (early.closed) this.closed(early.closed);
  }

  open() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.setState(this.lastSeq ? 'reconnecting' : 'connecting');
    const ws = new WebSocket(`${scheme}://${location.host}/ws/${encodeURIComponent(this.exercise)}`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.degraded = false; // the server says again, after the catch-up, if its store is still away
      this.setState('catching up');
      const hello = { type: 'hello', token: this.token, last_seq: this.lastSeq, protocol: PROTOCOL };
      if (this.epoch) hello.epoch = this.epoch;
      ws.send(encode(hello));
    };
    ws.onmessage = (e) => this.handle(decode(new Uint8Array(e.data)));
    ws.onclose = (e) => this.closed(e);
  }

  handle(frame) {
    switch (frame.type) {
      case 'welcome':
        this.epoch = frame.epoch || null; // what follows counts in this history
        this.resend(frame.protocol >= PROTOCOL);
        break;
      case 'event':
        if (frame.event.seq <= this.lastSeq) return; // already held: never applied twice
        this.lastSeq = frame.event.seq;
        break;
      case 'snapshot':
        this.lastSeq = frame.seq;
        break;
      case 'caught_up':
        this.lastSeq = Math.max(this.lastSeq, frame.seq);
        this.retry = 0;
        this.setState(this.degraded ? 'degraded' : 'connected');
        break;
      case 'service': // the server's event store went away or came back (docs/protocol.md)
        this.degraded = frame.state === 'degraded';
        if (this.state === 'connected' || this.state === 'degraded') {
          this.setState(this.degraded ? 'degraded' : 'connected');
        }
        break;
      case 'ack':
      case 'history': // the answer to a room.history query, sent as a command is
      case 'error': {
        const waiting = this.pending.get(frame.id);
        if (waiting) {
          this.pending.delete(frame.id);
          if (frame.type !== 'error') waiting.resolve(frame); else waiting.reject(Object.assign(new Error(errorText(frame.code, frame.message)), frame));
          return;
        }
        break;
      }
      default:
    }
    this.onFrame(frame);
  }

  // Commands sent on an earlier connection and never answered: sent again with the same id (the
  // server answers a stored one with its original ack), or given up when the server speaks 1.0.
  resend(idempotent) {
    for (const [id, waiting] of this.pending) {
      if (waiting.ws === this.ws) continue;
      if (idempotent) {
        waiting.ws = this.ws;
        this.ws.send(waiting.frame);
      } else {
        this.pending.delete(id);
        waiting.reject(Object.assign(new Error(t('connection lost; try again')), { code: 'offline' }));
      }
    }
  }

  closed(e) {
    if (this.stopped) return;
    if (e.code === 4412) { // moved to another team: its snapshot, from scratch, at once (docs/protocol.md)
      this.lastSeq = 0;
      this.epoch = null;
      this.open();
      return;
    }
    const fatal = FATAL()[e.code];
    if (fatal) {
      for (const waiting of this.pending.values()) {
        waiting.reject(Object.assign(new Error(fatal), { code: 'offline' }));
      }
      this.pending.clear();
      this.stopped = true;
      this.setState('signed out');
      this.onFatal(e.code, fatal);
      return;
    }
    this.setState('reconnecting');
    const delay = Math.min(10000, 500 * 2 ** this.retry) * (0.75 + Math.random() / 2);
    this.retry += 1;
    setTimeout(() => this.open(), delay);
  }

  command(type, fields = {}) {
    return new Promise((resolve, reject) => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
        reject(Object.assign(new Error(t('not connected; try again in a moment')), { code: 'offline' }));
        return;
      }
      const id = `${this.idPrefix}-${this.nextId++}`;
      const frame = encode({ ...fields, type, id });
      this.pending.set(id, { resolve, reject, frame, ws: this.ws });
      this.ws.send(frame);
    });
  }

  setState(state) {
    this.state = state;
    this.onState(state);
  }
}

const EXPLAINED = () => ({
  degraded: t('connected, but the server cannot store anything just now: what you send is refused until it can'),
  reconnecting: t('the connection dropped; reconnecting by itself, and what you missed will follow'),
  'catching up': t('receiving what happened while you were away'),
});
// The early socket of this page (early_socket.js), if it is for this exercise and token and says
// this protocol; taken once.
function takeEarlySocket(exercise, token) {
  const early = window.earlySocket;
  if (!early || early.taken) return null;
  early.taken = true;
  if (early.exercise === exercise && early.token === token && early.protocol === PROTOCOL) return early;
  early.ws.close();
  return null;
}

const NAMES = () => ({
  connecting: t('connecting'), connected: t('connected'), reconnecting: t('reconnecting'),
  'catching up': t('catching up'), degraded: t('connected, server degraded'), 'signed out': t('signed out'),
});

// Show the connection state in the header: connected, reconnecting, catching up, degraded.
export function showConnectionState(state) {
  const box = document.getElementById('connection');
  if (!box) return;
  box.textContent = NAMES()[state] || state;
  box.title = EXPLAINED()[state] || '';
  box.dataset.state = state.replace(' ', '-');
}
