// Stands in for an analytics SDK: it must run only once analytics is allowed.
document.documentElement.dataset.analytics = "loaded";
