// Connects FirstParty's Blazor components to the page: decisions made by firstparty.js (the banner's
// forms, window.firstParty) and the state it re-reads after Blazor's enhanced updates reach the
// components' cascading state; decisions asked for from .NET go through the same endpoint.
const CHANGE_EVENT = 'firstparty:change';

export function listen(store) {
  const changed = event => store.invokeMethodAsync('OnChanged', JSON.stringify(event.detail), false);
  // An enhanced navigation or form post rendered a new state into #fp-config: firstparty.js has
  // re-read it; its own copy holds decided, categories and services only.
  const updated = () => {
    if (window.firstParty) store.invokeMethodAsync('OnChanged', JSON.stringify(window.firstParty.getState()), true);
  };
  document.addEventListener(CHANGE_EVENT, changed);
  window.Blazor?.addEventListener?.('enhancedload', updated);
  return {
    dispose() {
      document.removeEventListener(CHANGE_EVENT, changed);
      window.Blazor?.removeEventListener?.('enhancedload', updated);
    },
  };
}

const viaScript = {
  'accept-all': api => api.accept(),
  'reject-all': api => api.reject(),
  withdraw: api => api.withdraw(),
  custom: (api, keys) => api.save(keys),
};

const json = response => response.ok ? response.json() : Promise.reject(new Error('HTTP ' + response.status));

export async function decide(endpoint, choice, keys) {
  // firstparty.js also removes the banner, revives gated scripts in order and announces the change.
  if (window.firstParty && viaScript[choice]) return JSON.stringify(await viaScript[choice](window.firstParty, keys));
  const accept = { Accept: 'application/json' };
  const { antiforgery } = await fetch(endpoint + '?antiforgery', { headers: accept }).then(json);
  const body = new URLSearchParams({ choice });
  for (const key of keys) body.append(key.includes('/') ? 'service' : 'category', key);
  const answer = await fetch(endpoint, { method: 'POST', body, headers: { ...accept, [antiforgery.headerName]: antiforgery.token } }).then(json);
  return JSON.stringify(answer);
}
