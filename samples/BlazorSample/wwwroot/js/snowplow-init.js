// Starts Snowplow's tracker (self-hosted from the npm package) once analytics is allowed. It posts to
// the sample's stub collector, and takes the visitor id from the _sp_id cookie the server wrote.
(window.firstPartyTrackers = window.firstPartyTrackers || {}).snowplow = snowplowBrowserTracking.newTracker(
  "sp", location.origin + "/stub/snowplow", { appId: "blazor-sample", cookieName: "_sp_", eventMethod: "post", bufferSize: 1 });
snowplowBrowserTracking.trackPageView();
