// The view's WebSocket, opened while its modules still download: a classic script (no imports)
// that view.html runs first, so the socket's upgrade, the hello and the server's snapshot travel
// during the modules' round trips instead of after them. It sends the same hello as a first
// connection (connection.js) and keeps what arrives; connection.js adopts the socket
// (takeEarlySocket) and handles the kept frames as if they had just arrived. A page that does
// not adopt it within ABANDON_MS (no view, another token) has it closed.
(() => {
  const PROTOCOL = 1.1; // connection.js adopts only a socket that said its own protocol
  const ABANDON_MS = 60000; // long enough for a slow laptop's modules; a socket never adopted shows its seat online
  const script = document.currentScript;
  const { exercise, seat } = script.dataset;
  const { MessagePack } = window;
  if (!exercise || !MessagePack) return;
  let token = null;
  try {
    if (seat === 'facilitator') token = localStorage.getItem('facilitator-token');
    else if (seat === 'session') token = JSON.parse(localStorage.getItem(`session:${exercise}`))?.token;
  } catch { token = null; }
  if (!token) return;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${location.host}/ws/${encodeURIComponent(exercise)}`);
  ws.binaryType = 'arraybuffer';
  const early = { exercise, token, protocol: PROTOCOL, ws, frames: [], closed: null, helloSent: false, taken: false };
  ws.onopen = () => {
    ws.send(MessagePack.encode({ type: 'hello', token, last_seq: 0, protocol: PROTOCOL }));
    early.helloSent = true;
  };
  ws.onmessage = (e) => { early.frames.push(e.data); };
  ws.onclose = (e) => { early.closed = e; };
  setTimeout(() => { if (!early.taken) ws.close(); }, ABANDON_MS);
  window.earlySocket = early;
})();
