// A stand-in for the Clarity tag, so the sample runs offline. Like the real tag it runs the calls
// queued before it loaded and those made later, and it takes consent only through consentv2 with
// both storage signals; what it was told is kept in window.sampleClarity.
(function () {
  var state = window.sampleClarity = { consent: null, identify: null };
  function signal(value) { return value === 'granted' || value === 'denied'; }
  function run(args) {
    if (args[0] === 'consentv2') {
      var c = args[1] || {};
      if (signal(c.ad_Storage) && signal(c.analytics_Storage)) state.consent = { ad_Storage: c.ad_Storage, analytics_Storage: c.analytics_Storage };
      else console.error('clarity stand-in: consentv2 needs ad_Storage and analytics_Storage, each granted or denied');
    } else if (args[0] === 'consent') {
      console.error('clarity stand-in: the consent call is deprecated; use consentv2');
    } else if (args[0] === 'identify') {
      state.identify = args[1];
    }
  }
  var queued = (window.clarity && window.clarity.q) || [];
  window.clarity = function () { run(arguments); };
  for (var i = 0; i < queued.length; i++) run(queued[i]);
  (window.sampleStubs = window.sampleStubs || []).push("clarity");
})();
