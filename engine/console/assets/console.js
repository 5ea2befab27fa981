// The console's only script (the CSP allows no inline ones): shows <time data-ago> in the
// browser's zone with a relative "3 min ago", and draws throughput charts with uPlot. Pages
// work without it; htmx swaps call it again on the new content.
(function () {
  'use strict';
  // The browser's own locale, or English when it names one Intl does not take (en-US@posix).
  function make(Ctor, options) {
    try { return new Ctor(undefined, options); } catch (e) { return new Ctor('en', options); }
  }
  var rtf = typeof Intl !== 'undefined' && Intl.RelativeTimeFormat ? make(Intl.RelativeTimeFormat, { numeric: 'auto' }) : null;
  var local = make(Intl.DateTimeFormat, { dateStyle: 'medium', timeStyle: 'medium' });
  var UNITS = [['year', 31536000], ['month', 2592000], ['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];

  function relative(ms) {
    var s = (ms - Date.now()) / 1000;
    for (var i = 0; i < UNITS.length; i++) {
      var u = UNITS[i];
      if (Math.abs(s) >= u[1] || u[0] === 'second') {
        var n = Math.round(s / u[1]);
        return rtf ? rtf.format(n, u[0]) : Math.abs(n) + ' ' + u[0] + (Math.abs(n) === 1 ? '' : 's') + (n <= 0 ? ' ago' : ' from now');
      }
    }
    return '';
  }

  function showTimes(root) {
    var els = root.querySelectorAll('time[data-ago]');
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var ms = Date.parse(el.getAttribute('datetime'));
      if (isNaN(ms)) continue;
      el.textContent = relative(ms);
      el.title = local.format(new Date(ms));
    }
  }

  var COLORS = { created: '#2f7d32', updated: '#1f6fb2', skipped: '#8a8f98', failed: '#c77700', dead: '#c62828' };

  function drawChart(el) {
    if (typeof uPlot === 'undefined') return;
    fetch(el.dataset.throughput, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (res) { if (!res.ok) throw new Error('HTTP ' + res.status); return res.json(); })
      .then(function (data) {
        el.textContent = '';
        if (data.total === 0) {
          el.textContent = 'No records finished in the last 24 hours.';
          el.classList.add('muted');
          return;
        }
        el.classList.remove('muted');
        var series = [{}];
        var columns = [data.times];
        data.series.forEach(function (s) {
          series.push({ label: s.outcome, stroke: COLORS[s.outcome] || '#333', width: 1.5, points: { show: false } });
          columns.push(s.counts);
        });
        var width = Math.max(280, el.clientWidth || 600);
        new uPlot({ width: width, height: 160, series: series, axes: [{}, { size: 40 }], legend: { show: true } }, columns, el);
      })
      .catch(function (err) {
        el.textContent = 'The chart could not be loaded (' + err.message + ').';
        el.classList.add('error-text');
      });
  }

  function enhance(root) {
    showTimes(root);
    var charts = root.querySelectorAll('[data-throughput]');
    for (var i = 0; i < charts.length; i++) drawChart(charts[i]);
  }
  // htmx swaps only the live parts, never a chart: enhance() on them finds none to redraw.

  document.addEventListener('DOMContentLoaded', function () {
    enhance(document);
    document.body.addEventListener('htmx:afterSwap', function (e) { enhance(e.target); });
    setInterval(function () { showTimes(document); }, 15000);
    // Charts count whole hours: redrawn once a minute, not on every table refresh.
    setInterval(function () {
      var charts = document.querySelectorAll('[data-throughput]');
      for (var i = 0; i < charts.length; i++) drawChart(charts[i]);
    }, 60000);
  });
})();
