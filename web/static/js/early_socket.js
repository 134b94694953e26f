// The view's WebSocket, opened while its stylesheet and modules still download: a classic script
// (no imports, not deferred) that view.html puts first in the head, so the socket's upgrade, the
// hello and the server's snapshot travel during the modules' round trips instead of after them.
// It sends the same hello as a first connection (connection.js), written here in msgpack (the
// page's msgpack.min.js is not in yet), and keeps what arrives; connection.js adopts the socket
// (takeEarlySocket) and handles the kept frames as if they had just arrived. A page that does not
// adopt it within ABANDON_MS (no view, another token) has it closed.
(() => {
  const PROTOCOL = 1.1; // connection.js adopts only a socket that said its own protocol
  const ABANDON_MS = 60000; // long enough for a slow laptop's modules; a socket never adopted shows its seat online
  const script = document.currentScript;
  const { exercise, seat } = script.dataset;
  if (!exercise) return;
  let token = null;
  try {
    if (seat === 'facilitator') token = localStorage.getItem('facilitator-token');
    else if (seat === 'session') token = JSON.parse(localStorage.getItem(`session:${exercise}`))?.token;
  } catch { token = null; }
  if (!token) return;

  // The hello as msgpack.min.js encodes it, byte for byte: a map of strings, a small integer and
  // a float64 (the protocol).
  const hello = (fields) => {
    const out = [];
    const text = (s) => {
      const b = new TextEncoder().encode(s);
      if (b.length < 32) out.push(0xa0 | b.length);
      else if (b.length < 256) out.push(0xd9, b.length);
      else out.push(0xda, b.length >> 8, b.length & 0xff);
      out.push(...b);
    };
    const entries = Object.entries(fields);
    out.push(0x80 | entries.length);
    for (const [key, value] of entries) {
      text(key);
      if (typeof value === 'string') text(value);
      else if (Number.isInteger(value) && value >= 0 && value < 128) out.push(value);
      else {
        const float = new DataView(new ArrayBuffer(8));
        float.setFloat64(0, value);
        out.push(0xcb, ...new Uint8Array(float.buffer));
      }
    }
    return new Uint8Array(out);
  };

  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${location.host}/ws/${encodeURIComponent(exercise)}`);
  ws.binaryType = 'arraybuffer';
  const early = { exercise, token, protocol: PROTOCOL, ws, frames: [], closed: null, helloSent: false, taken: false };
  ws.onopen = () => {
    ws.send(hello({ type: 'hello', token, last_seq: 0, protocol: PROTOCOL }));
    early.helloSent = true;
  };
  ws.onmessage = (e) => { early.frames.push(e.data); };
  ws.onclose = (e) => { early.closed = e; };
  setTimeout(() => { if (!early.taken) ws.close(); }, ABANDON_MS);
  window.earlySocket = early;
})();
