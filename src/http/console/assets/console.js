/* global document, setInterval, fetch */
// Live refresh of the overview: the page works without it (Reload link); this only polls the rows.
(function () {
  'use strict';
  var body = document.querySelector('[data-refresh]');
  if (!body) return;
  var url = body.getAttribute('data-refresh');
  setInterval(function () {
    fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (res) { if (!res.ok) throw new Error(String(res.status)); return res.text(); })
      .then(function (html) {
        body.innerHTML = html;
        var at = document.getElementById('refreshed-at');
        if (at) at.textContent = new Date().toISOString();
      })
      .catch(function () { /* keep the last rows; the next tick tries again */ });
  }, 10000);
})();
