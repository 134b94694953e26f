// Modules fetched after the page's first load (the map, the Markdown renderer) can be cut off on a
// classroom's Wi-Fi. A browser does not keep a failed import: asked again, it fetches the file anew.
// So they are asked for again, a little later each time, until they are in.

const RETRY_SECONDS = [1, 2, 4, 8, 15];

// load() until it resolves; onFailure(attempt) after each failure (attempt 0 the first).
export function untilLoaded(load, onFailure = () => {}, attempt = 0) {
  return load().catch(() => {
    onFailure(attempt);
    const seconds = RETRY_SECONDS[Math.min(attempt, RETRY_SECONDS.length - 1)];
    return new Promise((resolve) => { setTimeout(resolve, seconds * 1000); })
      .then(() => untilLoaded(load, onFailure, attempt + 1));
  });
}
