// The common operating picture drawn with Leaflet: an offline base map (GeoJSON, no tile server)
// and the COP features this participant may see. A team drags the point features it owns.
// The views reach it through map.js, which loads this module (and Leaflet) only once a map is
// shown; a page that uses Leaflet itself (the studio) imports this module.

import '../vendor/leaflet/leaflet.js'; // Leaflet's minified build (UMD): it sets window.L
import { el } from './dom.js';
import { featureKindName } from './words.js';
import { t } from './i18n.js';

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

// The base map's names shown on it, each layer's from a zoom above the one that fits the whole
// map: the region names at once, towns a little closer, roads and rivers closer, sites closest.
const LABEL_ZOOM = { label: 0, town: 0.75, road: 1.5, river: 1.5, lake: 1.5, camp: 2.5, base: 2.5, checkpoint: 2.5 };
const LINE_KINDS = new Set(['route', 'area', 'notified-movement']);

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
    this.kinds = { features: new Set(), overlay: new Set() };
    this.legend = this.addLegend();
    this.map.on('zoomend resize', () => this.showLabels());
    this.picking = null;
    this.map.on('click', (e) => this.placed(e.latlng));
    // From the keyboard: the arrow keys move the map (Leaflet's), Enter places at its centre
    // (a cross marks it), Escape gives up.
    this.map.on('movestart', () => { this.moving = true; });
    this.map.on('moveend', () => { this.moving = false; });
    container.addEventListener('keydown', (e) => {
      if (!this.picking) return;
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        const place = () => this.placed(this.map.getCenter());
        if (this.moving) this.map.once('moveend', place); else place(); // where the map comes to rest
      }
      if (e.key === 'Escape') this.stopPicking();
    });
  }

  placed(latlng) {
    if (!this.picking) return;
    const pick = this.picking;
    this.stopPicking();
    pick([Number(latlng.lng.toFixed(5)), Number(latlng.lat.toFixed(5))]);
  }

  async loadBasemap(name) {
    if (!name) return;
    const response = await fetch(`/basemaps/${encodeURIComponent(name)}.geojson`);
    if (!response.ok) return;
    this.showBasemap(await response.json());
  }

  // A base map's GeoJSON drawn under the features, its names shown by zoom.
  showBasemap(data) {
    const layer = L.geoJSON(data, {
      style: (f) => ({ className: `base base-${f.properties?.layer || 'other'}` }),
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: f.properties?.layer === 'town' ? 4 : 3,
        className: `base base-${f.properties?.layer || 'other'}` }),
      onEachFeature: (f, lyr) => {
        const layer = f.properties?.layer;
        if (f.properties?.name && layer in LABEL_ZOOM) {
          lyr.bindTooltip(f.properties.name, { permanent: true, interactive: false, direction: layer === 'label' ? 'center' : 'right',
            className: `map-label map-label-${layer}` });
        } else if (f.properties?.name) lyr.bindTooltip(el('span', {}, f.properties.name));
        // A shape of the base map is no tab stop (Chromium made each one, with a black focus box).
        lyr.on('add', () => lyr.getElement()?.setAttribute('tabindex', '-1'));
      },
    });
    this.base.clearLayers();
    this.base.addLayer(layer);
    const bounds = layer.getBounds();
    if (bounds.isValid()) this.map.fitBounds(bounds, { animate: false });
    this.baseBounds = bounds.isValid() ? bounds : null;
    this.showLabels();
  }

  // Which layers' names show at this zoom, counted from the zoom that fits the whole base map in
  // the map's size now: a class per layer on the map (app.css shows them).
  showLabels() {
    if (!this.baseBounds) return;
    const whole = this.map.getBoundsZoom(this.baseBounds);
    const container = this.map.getContainer();
    for (const [layer, above] of Object.entries(LABEL_ZOOM)) {
      container.classList.toggle(`labels-${layer}`, this.map.getZoom() >= whole + above - 0.01);
    }
  }

  // A legend of the kinds of feature on the map, with their icons, and the layers shown, each
  // with a box to hide it.
  addLegend() {
    const box = el('details', { class: 'map-legend', open: true });
    const kinds = el('ul', { class: 'legend-kinds' });
    const layers = [[() => t('Base map'), this.base], [() => t('Features'), this.layer], [() => t('Coordination'), this.overlay]];
    const draw = () => box.replaceChildren(el('summary', {}, t('Legend')), kinds,
      el('fieldset', { class: 'legend-layers' }, el('legend', {}, t('Layers')), layers.map(([name, group]) =>
        el('label', {}, el('input', { type: 'checkbox', checked: this.map.hasLayer(group),
          onchange: (e) => (e.target.checked ? this.map.addLayer(group) : this.map.removeLayer(group)) }), ` ${name()}`))));
    draw();
    document.addEventListener('seat-language', () => { draw(); this.showLegend(); }); // in the seat's words
    const control = L.control({ position: 'bottomleft' });
    control.onAdd = () => { L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box); return box; };
    control.addTo(this.map);
    return kinds;
  }

  showLegend() {
    const kinds = [...new Set([...this.kinds.features, ...this.kinds.overlay])].sort();
    this.legend.replaceChildren(...kinds.map((kind) => el('li', {}, LINE_KINDS.has(kind)
      ? el('span', { class: `legend-line legend-${kind}` }) : el('span', { class: 'legend-icon', dataset: { kind } }),
    ` ${featureKindName(kind)}`)));
  }

  setFeatures(features) {
    if (this.dragging) { // redrawing now would drop the marker from under the pointer: after the drag
      this.deferred = features;
      return;
    }
    this.layer.clearLayers();
    this.markers.clear();
    for (const feature of features) this.layer.addLayer(this.draw(feature));
    this.kinds.features = new Set(features.map((f) => f.kind));
    this.showLegend();
  }

  setOverlay(items) {
    this.overlay.clearLayers();
    for (const item of items) this.overlay.addLayer(this.draw(item, { fixed: true }));
    this.kinds.overlay = new Set(items.map((f) => f.kind));
    this.showLegend();
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
    const container = this.map.getContainer();
    container.classList.add('picking');
    container.setAttribute('aria-label', t('Map: move it with the arrow keys, press Enter to place at the cross'));
    container.focus(); // brought into view: the form that asked may lie below the fold
  }

  stopPicking() {
    this.picking = null;
    this.showDrawing(null);
    this.map.getContainer().classList.remove('picking');
    this.map.getContainer().removeAttribute('aria-label');
  }

  // A route being drawn: its points so far, joined, as they are added (none: the draft is gone).
  showDraft(points) {
    if (!this.draft) this.draft = L.layerGroup().addTo(this.map);
    this.draft.clearLayers();
    const at = points.map(([x, y]) => [y, x]);
    if (at.length > 1) this.draft.addLayer(L.polyline(at, { className: 'cop-draft', interactive: false }));
    for (const point of at) this.draft.addLayer(L.circleMarker(point, { radius: 5, className: 'cop-draft-point', interactive: false }));
  }

  // The tools of a route being drawn, on the map itself (the form that asked may be out of sight):
  // its points so far, Undo last point and Done; null takes them away.
  showDrawing(tools) {
    if (this.drawing) { this.drawing.remove(); this.drawing = null; }
    if (!tools) return;
    const box = el('div', { class: 'map-drawing', role: 'group', 'aria-label': t('Route') },
      el('span', { class: 'count' }, t('{n} point(s)', { n: tools.count })),
      el('button', { type: 'button', class: 'undo-point', disabled: !tools.count, onclick: tools.onUndo }, t('Undo last point')),
      el('button', { type: 'button', class: 'done-drawing', onclick: tools.onDone }, t('Done')));
    this.drawing = L.control({ position: 'topright' });
    this.drawing.onAdd = () => { L.DomEvent.disableClickPropagation(box); return box; };
    this.drawing.addTo(this.map);
  }

  invalidate() { this.map.invalidateSize(); }
}
