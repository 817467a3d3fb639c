// The rater page: fetch the next trial, show it, send the answer (side and time), repeat. Nothing else loads.
(function () {
  'use strict';
  var main = document.getElementById('rate');
  var base = main.dataset.base;
  var trial = null;
  var shownAt = 0;
  var busy = true;

  function el(id) { return document.getElementById(id); }

  function progress(body) {
    el('count').textContent = body.answered + ' of ' + body.total + ' answered';
    el('progress').max = body.total;
    el('progress').value = body.answered;
  }

  function fail(message) {
    el('error').textContent = message;
    el('error').hidden = false;
  }

  function load(img, src) {
    return new Promise(function (done) {
      img.onload = img.onerror = done;
      img.src = src;
    });
  }

  // A 429 says the rate per token was passed: wait and try the same request again.
  function request(url, options) {
    return fetch(url, options).then(function (r) {
      if (r.status === 429) {
        return new Promise(function (later) { setTimeout(later, 1000); }).then(function () { return request(url, options); });
      }
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error(body.error || ('HTTP ' + r.status)); }
        return body;
      });
    });
  }

  function next() {
    return request(base + '/next', { cache: 'no-store' }).then(function (body) {
      progress(body);
      if (body.done) {
        el('trial').hidden = true;
        el('done').hidden = false;
        return;
      }
      trial = body;
      return Promise.all([load(el('ref'), body.ref), load(el('left'), body.left), load(el('right'), body.right)])
        .then(function () { shownAt = performance.now(); busy = false; });
    }).catch(function (e) { fail(e.message); });
  }

  function answer(side) {
    if (busy || !trial) { return; }
    busy = true;
    var timeMs = Math.round(performance.now() - shownAt);
    request(base + '/answers', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ trial: trial.trial, choice: side, timeMs: timeMs })
    }).then(next).catch(function (e) { busy = false; fail(e.message); });
  }

  el('left').addEventListener('click', function () { answer('left'); });
  el('right').addEventListener('click', function () { answer('right'); });
  el('choose-left').addEventListener('click', function () { answer('left'); });
  el('choose-right').addEventListener('click', function () { answer('right'); });
  document.addEventListener('keydown', function (e) {
    if (e.key === '1') { answer('left'); } else if (e.key === '2') { answer('right'); }
  });
  next();
}());
