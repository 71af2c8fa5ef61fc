// A stand-in for the clarity script, so the sample runs offline: it records that it loaded.
(window.sampleStubs = window.sampleStubs || []).push("clarity");
