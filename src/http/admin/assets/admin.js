/* 学时助手 · 培训管理后台: small progressive enhancements. Every page works without it. */
(function () {
  'use strict';

  // Buttons that change things for many people ask first.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var submitter = event.submitter || form.querySelector('[data-confirm]');
    var question = (submitter && submitter.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // Live numbers: elements with data-live-url are refreshed from a JSON endpoint; data-live-key picks the field.
  var live = document.querySelectorAll('[data-live-url]');
  live.forEach(function (box) {
    var url = box.getAttribute('data-live-url');
    var every = Number(box.getAttribute('data-live-every') || 3000);
    function tick() {
      fetch(url, { cache: 'no-store', credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          box.querySelectorAll('[data-live-key]').forEach(function (el) {
            var key = el.getAttribute('data-live-key');
            if (key in data) el.textContent = String(data[key]);
          });
          box.querySelectorAll('[data-live-width]').forEach(function (el) {
            var parts = el.getAttribute('data-live-width').split('/');
            var a = Number(data[parts[0]]), b = Number(data[parts[1]]);
            el.style.width = (b > 0 ? Math.min(100, (a / b) * 100) : 0) + '%';
          });
          if (data.reload) window.location.reload();
        })
        .catch(function () {})
        .finally(function () { setTimeout(tick, every); });
    }
    setTimeout(tick, every);
  });

  // Audience pickers: show the field that belongs to the chosen option.
  document.querySelectorAll('[data-show-when]').forEach(function (el) {
    var spec = el.getAttribute('data-show-when').split('=');
    var inputs = document.querySelectorAll('input[name="' + spec[0] + '"]');
    function update() {
      var chosen = document.querySelector('input[name="' + spec[0] + '"]:checked');
      el.hidden = !chosen || chosen.value !== spec[1];
    }
    inputs.forEach(function (i) { i.addEventListener('change', update); });
    update();
  });
})();
