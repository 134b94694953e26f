// The common operating picture of a view, without Leaflet on the page's first load: a CopMap is
// made at once, loads leaflet_map.js (and Leaflet, a third of a view's files) when it is made,
// and hands it every call made meanwhile, so the view connects without waiting for the map.
// Each view calls it as it would call the Leaflet map itself (leaflet_map.js says what each does).

import { nameOf } from './content_language.js';
import { el } from './dom.js';
import { t } from './i18n.js';
import { untilLoaded } from './retry.js';

// What a view asks of its map. The last of a kind that draws the whole of something replaces an
// earlier one not yet drawn: only what stands when the map is ready is drawn.
const METHODS = ['loadBasemap', 'showBasemap', 'setFeatures', 'setOverlay', 'pick', 'stopPicking', 'showDraft',
  'showDrawing', 'invalidate'];
const WHOLE = new Set(['loadBasemap', 'showBasemap', 'setFeatures', 'setOverlay', 'showDraft']);

// The map's modules, fetched again until they are in (retry.js); the map's place says so meanwhile.
function importLeafletMap(container) {
  return untilLoaded(() => import('./leaflet_map.js'), () => {
    if (!container.querySelector('.map-retrying')) {
      container.append(el('p', { class: 'map-retrying', role: 'status' },
        t('The map did not arrive: the connection cut it off. Trying again…')));
    }
  });
}

export class CopMap {
  constructor(container, options = {}) {
    this.waiting = [];
    this.ready = importLeafletMap(container).then(({ CopMap: LeafletMap }) => {
      container.querySelector('.map-retrying')?.remove();
      this.drawn = new LeafletMap(container, options);
      for (const [name, args] of this.waiting) this.drawn[name](...args);
      this.waiting = null;
      return this.drawn;
    });
  }
}

for (const name of METHODS) {
  CopMap.prototype[name] = function call(...args) {
    if (this.drawn) return this.drawn[name](...args);
    if (WHOLE.has(name)) this.waiting = this.waiting.filter(([n]) => n !== name);
    this.waiting.push([name, args]);
    return undefined;
  };
}

// The features to draw, each named in the seat's language (content_language.js).
export function copFeatures(view) {
  const scenario = view.state.scenario;
  return [...view.cop.values()].map((f) => (f.translations ? { ...f, name: nameOf(f, scenario) } : f));
}
