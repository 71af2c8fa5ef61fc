// A stand-in for matomo.js, so the sample runs offline. Like the real tracker it runs the calls
// queued in _paq and those pushed later, and it refuses a visitor id that is not 16 hexadecimal
// digits; what it was told is kept in window.sampleMatomo.
(function () {
  var state = window.sampleMatomo = { calls: [], visitorId: null, userId: null };
  function run(call) {
    state.calls.push(call[0]);
    if (call[0] === 'setVisitorId') {
      if (typeof call[1] === 'string' && /^[0-9a-fA-F]{16}$/.test(call[1])) state.visitorId = call[1];
      else console.error('matomo stand-in: setVisitorId needs 16 hexadecimal digits, not ' + call[1]);
    } else if (call[0] === 'setUserId') {
      state.userId = call[1];
    }
  }
  var queued = Array.isArray(window._paq) ? window._paq : [];
  for (var i = 0; i < queued.length; i++) run(queued[i]);
  window._paq = { push: function () { for (var j = 0; j < arguments.length; j++) run(arguments[j]); } };
  (window.sampleStubs = window.sampleStubs || []).push("matomo");
})();
