// The studio's common operating picture: the scenario's features drawn on its base map (map.js).
// Add a point, draw a line or an area point by point (Undo last point, Done), drag a point to
// move it, redraw a line or area; beside the map, a list of every feature with its name, kind,
// who sees it and who may change it, and a point's coordinates, for the keyboard.

import { el, replaceChildren } from './dom.js';
import { t } from './i18n.js';
import { featureKindName } from './words.js';
import { CopMap } from './map.js';
import { checkboxes, field } from './studio_fields.js';
import { basemap } from './studio_api.js';
import {
  FEATURE_KINDS, componentName, components, playedByControl, renameFeature, slug, teams, text, withText,
} from './studio_doc.js';

const SHAPES = { Point: 'place', LineString: 'route', Polygon: 'area' };

export class CopSection {
  constructor(editor, root) {
    this.editor = editor;
    this.root = root;
    this.mapBox = el('div', { class: 'map studio-map', id: 'studio-map' });
    this.list = el('div', { class: 'feature-list', id: 'feature-list' });
    this.status = el('p', { class: 'meta', id: 'draw-status', role: 'status' });
    this.map = null;
  }

  get doc() { return this.editor.doc; }
  features() { return ((this.doc.cop ||= {}).features ||= []); }

  render() {
    replaceChildren(this.root, el('h2', {}, t('Map')),
      el('div', { class: 'map-tools' },
        el('button', { type: 'button', id: 'add-point', onclick: () => this.draw('Point') }, t('Add a point')),
        el('button', { type: 'button', id: 'draw-line', onclick: () => this.draw('LineString') }, t('Draw a line')),
        el('button', { type: 'button', id: 'draw-area', onclick: () => this.draw('Polygon') }, t('Draw an area'))),
      this.status,
      el('div', { class: 'cop-layout' }, el('div', { class: 'map-box' }, this.mapBox), this.list));
    if (!this.map) {
      this.map = new CopMap(this.mapBox, { canMove: (f) => f.geometry.type === 'Point', onMove: (f, to) => this.moved(f.id, to) });
      this.basemapChanged();
    }
    this.map.invalidate();
    this.drawFeatures();
  }

  // The scenario's base map: served to every page once a loaded scenario uses it, else from the
  // scenarios folder by the studio API (a map just picked for a scenario not saved yet).
  async basemapChanged() {
    const name = this.doc.basemap;
    if (!this.map || !name) return;
    const data = await basemap(name);
    if (data && name === this.doc.basemap) this.map.showBasemap(data);
  }

  drawFeatures() {
    const doc = this.doc;
    this.map?.setFeatures(this.features().map((f) => ({ ...f, name: text(f.name, doc) })));
    this.drawList();
  }

  moved(id, to) {
    const feature = this.features().find((f) => f.id === id);
    if (!feature) return;
    feature.geometry = { type: 'Point', coordinates: to };
    this.editor.changed();
    this.drawList();
  }

  // Points picked on the map one by one: a point at the first; a line or an area at Done. The
  // geometry goes to `feature`, to a new feature, or (an inject's change) to `onDrawn`.
  draw(type, feature = null, onDrawn = null) {
    const map = this.map;
    const points = [];
    const finish = () => {
      map.stopPicking();
      map.showDraft([]);
      const enough = type === 'Point' ? 1 : type === 'LineString' ? 2 : 3;
      if (points.length < enough) { this.status.textContent = t('Nothing drawn.'); return; }
      const geometry = type === 'Point' ? { type, coordinates: points[0] }
        : type === 'LineString' ? { type, coordinates: points } : { type, coordinates: [[...points, points[0]]] };
      if (onDrawn) { onDrawn(geometry); return; }
      if (feature) feature.geometry = geometry;
      else {
        const kind = SHAPES[type];
        const id = slug(kind, this.features().map((f) => f.id));
        this.features().push({ id, kind, name: '', geometry, visible_to: 'all', owner: 'control' });
        feature = this.features()[this.features().length - 1];
      }
      this.editor.changed();
      this.drawFeatures();
      this.status.textContent = t('{name} drawn.', { name: feature.id });
      this.list.querySelector(`[data-feature="${CSS.escape(feature.id)}"] input`)?.focus();
    };
    const shown = () => {
      map.showDraft(points);
      if (type !== 'Point') {
        map.showDrawing({ count: points.length, onUndo: () => { points.pop(); shown(); }, onDone: finish });
      }
    };
    const next = (at) => {
      points.push(at);
      if (type === 'Point') { finish(); return; }
      map.pick(next);
      shown();
    };
    this.status.textContent = type === 'Point' ? t('Click the place on the map (or move the map with the arrow keys and press Enter).')
      : t('Click the points on the map one by one, then Done.');
    map.pick(next);
    shown();
  }

  drawList() {
    const { editor, doc } = this;
    const whoChoices = [['all', t('Everyone')],
      ...components(doc).filter((c) => !playedByControl(c)).map((c) => [c.id, componentName(doc, c.id)]),
      ...teams(doc).map((x) => [x.id, text(x.name, doc) || x.id])];
    const ownerChoices = [['control', t('Control only')], ...whoChoices.slice(1)];
    const redraw = () => this.drawFeatures();
    replaceChildren(this.list, el('h3', {}, t('Features')),
      this.features().length ? el('ol', { class: 'studio-rows', dataset: { path: 'cop.features' } }, this.features().map((f, k) => {
        const path = `cop.features.${k}`;
        const geometry = f.geometry || {};
        return el('li', { class: 'studio-row feature-row', dataset: { feature: f.id } },
          el('div', { class: 'row-fields' },
            field(editor, { label: t('Name'), path: `${path}.name`, get: () => text(f.name, doc),
              set: (v) => { f.name = withText(f.name, doc, v); }, attrs: { class: 'feature-name' } }),
            field(editor, { label: t('Kind'), path: `${path}.kind`, options: FEATURE_KINDS.map((x) => [x, featureKindName(x)]),
              get: () => f.kind, set: (v) => { f.kind = v; redraw(); }, attrs: { class: 'feature-kind' } }),
            field(editor, { label: t('Id'), path: `${path}.id`, get: () => f.id,
              set: (v) => { const before = f.id; f.id = v.trim(); renameFeature(doc, before, f.id); },
              attrs: { class: 'short feature-id' } }),
            field(editor, { label: t('Who may change it'), path: `${path}.owner`, options: ownerChoices,
              get: () => f.owner || 'control', set: (v) => { f.owner = v; }, attrs: { class: 'feature-owner' } })),
          checkboxes(editor, { legend: t('Who sees it'), path: `${path}.visible_to`, choices: whoChoices,
            get: () => (f.visible_to === 'all' || f.visible_to === undefined ? ['all'] : f.visible_to),
            set: (v) => { f.visible_to = v.includes('all') ? 'all' : v; } }),
          geometry.type === 'Point' ? el('div', { class: 'row-fields' }, ['Longitude', 'Latitude'].map((name, axis) => field(editor, {
            label: axis ? t('Latitude') : t('Longitude'), path: `${path}.geometry.coordinates.${axis}`, type: 'number',
            attrs: { step: '0.0001', class: 'short' }, get: () => geometry.coordinates?.[axis],
            set: (v) => { if (v !== '') { geometry.coordinates[axis] = Number(v); this.map?.setFeatures(this.shown()); } } })))
            : el('p', { class: 'meta' }, t('{n} point(s)', { n: (geometry.type === 'Polygon' ? geometry.coordinates[0].length - 1 : geometry.coordinates.length) })),
          el('div', { class: 'row-actions' },
            geometry.type !== 'Point' ? el('button', { type: 'button', class: 'reshape', 'aria-pressed': String(this.reshaping === f),
              onclick: () => this.reshape(this.reshaping === f ? null : f) }, t('Move its points')) : null,
            geometry.type !== 'Point' ? el('button', { type: 'button', class: 'redraw', onclick: () => this.draw(geometry.type, f) }, t('Redraw on the map')) : null,
            el('button', { type: 'button', class: 'danger remove-row', onclick: () => {
              if (this.reshaping === f) this.reshape(null);
              this.features().splice(k, 1);
              editor.changed();
              redraw();
            } }, t('Remove'))));
      })) : el('p', { class: 'meta' }, t('No features yet: add a point or draw a line or an area.')),
      this.later());
  }

  // The features an inject adds when it is released (its Map changes): listed, not drawn.
  later() {
    const doc = this.doc;
    const added = (doc.msel || []).flatMap((inject) => (inject.cop || []).filter((c) => c.add).map((c) => [inject.id, c.add]));
    if (!added.length) return null;
    return el('div', { class: 'later-features' }, el('h3', {}, t('Shown once an inject is released')),
      el('ul', {}, added.map(([id, f]) => el('li', {}, t('{name} ({kind}), with {inject}',
        { name: text(f.name, doc) || f.id, kind: featureKindName(f.kind), inject: id })))));
  }

  // A handle on each point of a line or an area, dragged to reshape it; null takes them away.
  reshape(feature) {
    const { L } = window; // Leaflet, loaded by map.js
    this.handles?.remove();
    this.handles = null;
    this.reshaping = feature;
    if (feature) {
      const polygon = feature.geometry.type === 'Polygon';
      const points = polygon ? feature.geometry.coordinates[0].slice(0, -1) : feature.geometry.coordinates;
      this.handles = L.layerGroup().addTo(this.map.map);
      points.forEach(([x, y], k) => {
        const handle = L.marker([y, x], { draggable: true, keyboard: false,
          icon: L.divIcon({ className: 'vertex-handle', iconSize: [14, 14], html: '' }) });
        handle.on('dragend', () => {
          const at = handle.getLatLng();
          points[k] = [Number(at.lng.toFixed(5)), Number(at.lat.toFixed(5))];
          feature.geometry = polygon ? { type: 'Polygon', coordinates: [[...points, points[0]]] } : { type: 'LineString', coordinates: points };
          this.editor.changed();
          this.map.setFeatures(this.shown());
        });
        this.handles.addLayer(handle);
      });
      this.status.textContent = t('Drag the square handles to move the points of {name}.', { name: text(feature.name, this.doc) || feature.id });
    }
    this.drawList();
  }

  shown() { return this.features().map((f) => ({ ...f, name: text(f.name, this.doc) })); }
}
