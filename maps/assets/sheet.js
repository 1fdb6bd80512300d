/* Map sheets (maps/render.py): stop list, print fitting, AMap (GCJ-02) layer swap. No network. */
window.DispatchSheet = {
  init: function (map, o) {
    var mars = false;
    function markers() { return mars && o.gcjStops.length ? o.gcjStops : o.stops; }
    function fit() {
      var p = document.querySelector('details.panel'), opts = {padding: [24, 24]};
      if (p && p.open && window.innerWidth >= 600) {
        opts = {paddingTopLeft: [p.offsetLeft + p.offsetWidth + 16, 24], paddingBottomRight: [24, 24]};
      } else if (p) {
        opts = {paddingTopLeft: [24, p.offsetTop + p.offsetHeight + 16], paddingBottomRight: [24, 24]};
      }
      map.fitBounds(mars && o.gcjBounds ? o.gcjBounds : o.bounds, opts);
    }
    document.querySelectorAll('[data-go]').forEach(function (el) {
      el.addEventListener('click', function () {
        var m = markers()[parseInt(el.getAttribute('data-go'), 10)];
        if (!m) { return; }
        map.setView(m.getLatLng(), Math.max(map.getZoom(), 15));
        m.openPopup();
        if (window.innerWidth < 600) { var d = el.closest('details'); if (d) { d.open = false; } }
      });
    });
    if (window.innerWidth < 600) {
      document.querySelectorAll('details.legend, details.panel').forEach(function (d) { d.open = false; });
    }
    fit();
    map.on('baselayerchange', function (e) {
      mars = (e.name === o.amapName);
      o.wgsGroups.forEach(function (g) { if (mars) { map.removeLayer(g); } else { map.addLayer(g); } });
      o.gcjGroups.forEach(function (g) { if (mars) { map.addLayer(g); } else { map.removeLayer(g); } });
      fit();
    });
    window.addEventListener('beforeprint', function () {
      document.querySelectorAll('details').forEach(function (d) { d.open = true; });
      map.invalidateSize(); fit();
    });
    window.addEventListener('afterprint', function () { map.invalidateSize(); });
    window.dispatchMap = map;
    document.documentElement.setAttribute('data-sheet-ready', String(o.stops.length));
  }
};
