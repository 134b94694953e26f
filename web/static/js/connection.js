// The WebSocket to the server: hello with the last sequence number held, automatic
// reconnection with resume, commands answered by ack or error. msgpack binary frames.

const { encode, decode } = window.MessagePack;
const FATAL = { 4401: 'Your session is no longer valid. Sign in again.', 4403: 'Your join code was revoked.',
                4404: 'This exercise does not exist.', 4400: 'The server refused this client.',
                4410: 'You were removed from the exercise by the facilitator.' };

export class Connection {
  constructor({ exercise, token, onFrame, onState, onFatal }) {
    Object.assign(this, { exercise, token, onFrame, onState, onFatal });
    this.lastSeq = 0;
    this.pending = new Map();
    this.nextId = 1;
    this.retry = 0;
    this.stopped = false;
  }

  start() { this.open(); }

  open() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.setState(this.lastSeq ? 'reconnecting' : 'connecting');
    const ws = new WebSocket(`${scheme}://${location.host}/ws/${encodeURIComponent(this.exercise)}`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.degraded = false; // the server says again, after the catch-up, if its store is still away
      this.setState('catching up');
      ws.send(encode({ type: 'hello', token: this.token, last_seq: this.lastSeq }));
    };
    ws.onmessage = (e) => this.handle(decode(new Uint8Array(e.data)));
    ws.onclose = (e) => this.closed(e);
  }

  handle(frame) {
    switch (frame.type) {
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
      case 'error': {
        const waiting = this.pending.get(frame.id);
        if (waiting) {
          this.pending.delete(frame.id);
          if (frame.type === 'ack') waiting.resolve(frame); else waiting.reject(Object.assign(new Error(frame.message), frame));
          return;
        }
        break;
      }
      default:
    }
    this.onFrame(frame);
  }

  closed(e) {
    for (const waiting of this.pending.values()) {
      waiting.reject(Object.assign(new Error('connection lost; try again'), { code: 'offline' }));
    }
    this.pending.clear();
    if (this.stopped) return;
    if (FATAL[e.code]) {
      this.stopped = true;
      this.setState('signed out');
      this.onFatal(e.code, FATAL[e.code]);
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
        reject(Object.assign(new Error('not connected; try again in a moment'), { code: 'offline' }));
        return;
      }
      const id = `c${this.nextId++}`;
      this.pending.set(id, { resolve, reject });
      this.ws.send(encode({ ...fields, type, id }));
    });
  }

  setState(state) {
    this.state = state;
    this.onState(state);
  }
}

const EXPLAINED = {
  degraded: 'connected, but the server cannot store anything just now: what you send is refused until it can',
  reconnecting: 'the connection dropped; reconnecting by itself, and what you missed will follow',
  'catching up': 'receiving what happened while you were away',
};

// Show the connection state in the header: connected, reconnecting, catching up, degraded.
export function showConnectionState(state) {
  const box = document.getElementById('connection');
  if (!box) return;
  box.textContent = state === 'degraded' ? 'connected, server degraded' : state;
  box.title = EXPLAINED[state] || '';
  box.dataset.state = state.replace(' ', '-');
}
