// The scenario library changed on the server (a file saved in the studio, added, edited or
// removed on disk): `onChange` runs at once. A long poll of /api/studio/changes (docs/studio-api.md).
import { api } from './session.js';

const RETRY_MS = 5000;

export function watchLibrary(token, onChange) {
  let since = null;
  let stopped = false;
  (async () => {
    while (!stopped) {
      try {
        const query = since === null ? '' : `?since=${since}`;
        const answer = await api(`/api/studio/changes${query}`, { token });
        if (since !== null && answer.changed) onChange();
        since = answer.changes;
      } catch (error) {
        if (error.status === 404 || error.status === 403) return; // not the control cell's seat
        await new Promise((resolve) => { setTimeout(resolve, RETRY_MS); });
      }
    }
  })();
  return () => { stopped = true; };
}
