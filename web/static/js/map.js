// The common operating picture of a view, without Leaflet on the page's first load: a CopMap is
// made at once, loads leaflet_map.js (and Leaflet, a third of a view's files) when it is made,
// and hands it every call made meanwhile, so the view connects without waiting for the map.
// Each view calls it as it would call the Leaflet map itself (leaflet_map.js says what each does).

import { nameOf } from './content_language.js';

// What a view asks of its map. The last of a kind that draws the whole of something replaces an
// earlier one not yet drawn: only what stands when the map is ready is drawn.
const METHODS = ['loadBasemap', 'showBasemap', 'setFeatures', 'setOverlay', 'pick', 'stopPicking', 'showDraft',
  'showDrawing', 'invalidate'];
const WHOLE = new Set(['loadBasemap', 'showBasemap', 'setFeatures', 'setOverlay', 'showDraft']);

export class CopMap {
  constructor(container, options = {}) {
    this.waiting = [];
    this.ready = import('./leaflet_map.js').then(({ CopMap: LeafletMap }) => {
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
