// Stands in for an analytics SDK: it must run only once analytics is allowed.
window.harbourAnalytics = { loadedAt: new Date().toISOString() };
document.documentElement.dataset.analytics = "loaded";
