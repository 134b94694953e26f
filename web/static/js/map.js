// The common operating picture: an offline base map (GeoJSON, no tile server) and the
// COP features this participant may see. A team drags the point features it owns.

import '../vendor/leaflet/leaflet.js'; // Leaflet's minified build (UMD): it sets window.L
import { el } from './dom.js';
import { featureKindName } from './words.js';
import { nameOf } from './content_language.js';

const { L } = window;

const NALORA_VIEW = [[3.8, 30.6], [5.3, 32.3]];

// A feature's tooltip, as text: a note shows what it says below its title.
function label(feature) {
  const text = feature.kind === 'note' ? feature.properties?.text : null;
  return el('span', { class: `cop-label cop-label-${feature.kind}` }, el('strong', {}, feature.name), ` (${featureKindName(feature.kind)})`,
    feature.properties?.note ? el('span', {}, ` — ${feature.properties.note}`) : null,
    typeof text === 'string' && text ? el('span', { class: 'note-text' }, text) : null);
}

const ICON_SIZE = { convoy: [24, 12], note: [16, 16] }; // the rest: [14, 14]

export class CopMap {
  constructor(container, { canMove = () => false, onMove = () => {} } = {}) {
    this.canMove = canMove;
    this.onMove = onMove;
    this.map = L.map(container, { attributionControl: false, zoomSnap: 0.25, preferCanvas: false });
    this.map.fitBounds(NALORA_VIEW);
    this.base = L.layerGroup().addTo(this.map);
    this.layer = L.layerGroup().addTo(this.map);
    this.overlay = L.layerGroup().addTo(this.map); // what the coordination workflows place (workflows.js)
    this.markers = new Map();
    this.picking = null;
    this.map.on('click', (e) => {
      if (this.picking) {
        const pick = this.picking;
        this.stopPicking();
        pick([Number(e.latlng.lng.toFixed(5)), Number(e.latlng.lat.toFixed(5))]);
      }
    });
  }

  async loadBasemap(name) {
    if (!name) return;
    const response = await fetch(`/basemaps/${encodeURIComponent(name)}.geojson`);
    if (!response.ok) return;
    const data = await response.json();
    const layer = L.geoJSON(data, {
      style: (f) => ({ className: `base base-${f.properties?.layer || 'other'}` }),
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: f.properties?.layer === 'town' ? 4 : 3,
        className: `base base-${f.properties?.layer || 'other'}` }),
      onEachFeature: (f, lyr) => { if (f.properties?.name) lyr.bindTooltip(el('span', {}, f.properties.name)); },
    });
    this.base.clearLayers();
    this.base.addLayer(layer);
    const bounds = layer.getBounds();
    if (bounds.isValid()) this.map.fitBounds(bounds);
  }

  setFeatures(features) {
    if (this.dragging) { // redrawing now would drop the marker from under the pointer: after the drag
      this.deferred = features;
      return;
    }
    this.layer.clearLayers();
    this.markers.clear();
    for (const feature of features) this.layer.addLayer(this.draw(feature));
  }

  setOverlay(items) {
    this.overlay.clearLayers();
    for (const item of items) this.overlay.addLayer(this.draw(item, { fixed: true }));
  }

  draw(feature, { fixed = false } = {}) {
    const { type, coordinates } = feature.geometry;
    const cls = `cop cop-${feature.kind}${feature.cls ? ` ${feature.cls}` : ''}`;
    let layer;
    if (type === 'Point') {
      const movable = !fixed && this.canMove(feature);
      const icon = L.divIcon({ className: `${cls}${movable ? ' movable' : ''}`, html: '',
        iconSize: ICON_SIZE[feature.kind] || [14, 14] });
      layer = L.marker([coordinates[1], coordinates[0]], { icon, draggable: movable, keyboard: false });
      layer.on('dragstart', () => { this.dragging = true; });
      layer.on('dragend', () => {
        this.dragging = false;
        const at = layer.getLatLng();
        const to = [Number(at.lng.toFixed(5)), Number(at.lat.toFixed(5))];
        this.onMove(feature, to);
        if (this.deferred) { // drawn with the marker where it was dropped, not back where it started
          const features = this.deferred.map((f) => (f.id === feature.id
            ? { ...f, geometry: { ...f.geometry, coordinates: to } } : f));
          this.deferred = null;
          this.setFeatures(features);
        }
      });
      if (!fixed) this.markers.set(feature.id, layer);
    } else if (type === 'LineString') {
      layer = L.polyline(coordinates.map(([x, y]) => [y, x]), { className: cls });
    } else {
      layer = L.polygon(coordinates.map((ring) => ring.map(([x, y]) => [y, x])), { className: cls });
    }
    layer.bindTooltip(label(feature));
    layer.on('add', () => { const node = layer.getElement(); if (node) node.dataset.feature = feature.id; });
    return layer;
  }

  pick(callback) {
    this.picking = callback;
    this.map.getContainer().classList.add('picking');
  }

  stopPicking() {
    this.picking = null;
    this.map.getContainer().classList.remove('picking');
  }

  invalidate() { this.map.invalidateSize(); }
}

// The features to draw, each named in the seat's language (content_language.js).
export function copFeatures(view) {
  const scenario = view.state.scenario;
  return [...view.cop.values()].map((f) => (f.translations ? { ...f, name: nameOf(f, scenario) } : f));
}
