// Stands in for an analytics SDK: it must run only once analytics is allowed, and only once per page load.
window.harbourAnalyticsRuns = (window.harbourAnalyticsRuns || 0) + 1;
document.documentElement.dataset.analytics = "loaded";
