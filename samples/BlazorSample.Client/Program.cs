using Microsoft.AspNetCore.Components.WebAssembly.Hosting;

var builder = WebAssemblyHostBuilder.CreateDefault(args);

// The cascading ConsentState and VisitorState, read from what the server persisted while prerendering,
// and FirstPartyConsent for decisions made from components running here.
builder.Services.AddFirstPartyComponents();

await builder.Build().RunAsync();
