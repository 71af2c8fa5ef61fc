// A stand-in for the gtag script, so the sample runs offline: it records that it loaded.
(window.sampleStubs = window.sampleStubs || []).push("gtag");
