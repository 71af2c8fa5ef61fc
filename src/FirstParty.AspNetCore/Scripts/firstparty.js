// FirstParty's consent enhancement script: the readable source of wwwroot/firstparty.js.
//
// Every consent flow works without this script (the banner and preferences are plain forms that post
// to the consent endpoint). The script only makes them nicer: choices are saved with fetch instead of a
// reload, gated scripts, stylesheets and embeds come alive on the same page, and keyboard users keep
// their place. Do not edit wwwroot/firstparty.js by hand: edit this file, run `npm run build` in this
// folder, and commit both (a unit test checks that the shipped file is the build of this source).
//
// It must stay compatible with a strict Content-Security-Policy: no eval, no inline styles, no
// innerHTML, no inline event handlers (AssetBudgetTests checks the shipped file).

/// <reference path="./firstparty.d.ts" />
(() => {
  'use strict';

  const BANNER = '[data-fp-banner]';
  // Marks a banner fetched from the server to show the preferences after a decision: Escape removes
  // it rather than only closing its preferences.
  const FETCHED = 'data-fp-fetched';
  const CHANGE_EVENT = 'firstparty:change';
  const NAVIGATE_EVENT = 'firstparty:navigate';

  const configElement = document.getElementById('fp-config');
  // Without the server's configuration there is nothing to enhance; and a second copy of the script
  // (a layout and a page both including it) must not register every listener twice.
  if (!configElement || window.firstParty) return;

  /** @type {{ endpoint: string, decided: boolean, categories: Record<string, boolean>, services: Record<string, boolean>, storage: Record<string, string[]>, saved: string }} */
  let configText = configElement.textContent;
  const config = JSON.parse(configText);
  const endpoint = config.endpoint;

  const one = (selector, root = document) => root.querySelector(selector);
  const all = (selector, root = document) => [...root.querySelectorAll(selector)];

  /** @type {FirstPartyState} */
  let state = { decided: config.decided, categories: config.categories, services: config.services };
  // Revived scripts run one after another, across decisions too.
  let scriptQueue = Promise.resolve();
  // The element that opened the preferences, to give focus back to.
  let opener;
  // The address the page was last shown at: an enhanced update that changes it is a new page view.
  let shownAt = location.href;

  // A key is a category ("analytics") or a service ("analytics/clarity"). A service the server knows
  // answers for itself (it can differ from its category after a per-service choice); any other
  // service follows its category. "!" keys mark content that never runs from the script.
  const isGranted = key => {
    const { categories = {}, services = {} } = state;
    if (!key || key[0] == '!') return false;
    return !!(key.includes('/') && key in services ? services[key] : categories[key.split('/')[0]]);
  };

  // Only a script element created by script runs: a parsed one whose type is changed stays inert.
  // Browsers hide the nonce attribute from the DOM once parsed, but not the nonce property.
  const createRunnableCopy = original => {
    const copy = document.createElement('script');
    const gated = original.hasAttribute('data-fp-consent');
    for (const { name, value } of original.attributes) {
      const isMarker = /^(nonce|data-fp-(consent|src|type))$/.test(name);
      // A gated script's type is the inert placeholder type; its real one is in data-fp-type.
      if (!isMarker && !(gated && name == 'type')) copy.setAttribute(name, value);
    }
    if (gated && original.dataset.fpType) copy.type = original.dataset.fpType;
    if (gated && original.dataset.fpSrc) copy.src = original.dataset.fpSrc;
    if (!copy.src) copy.text = original.text;
    copy.nonce = original.nonce || original.getAttribute('nonce') || '';
    return copy;
  };

  // Keep document order: an external script loads (or fails) before the next one goes in, as it
  // would have had the page been rendered with consent.
  const runScript = (original, replaced = original) => {
    const copy = createRunnableCopy(original);
    original.removeAttribute('data-fp-consent');
    scriptQueue = scriptQueue.then(() => new Promise(done => {
      copy.onload = copy.onerror = done;
      replaced.replaceWith(copy);
      if (!copy.src) done();
    }));
  };

  // Swaps a placeholder for its template's content; the template's scripts are inert when cloned, so
  // each is held by a comment and run in order through the queue.
  const revealPlaceholder = placeholder => {
    const content = one('template', placeholder).content.cloneNode(true);
    const scripts = all('script', content).map(script => {
      const mark = new Comment();
      script.replaceWith(mark);
      return [script, mark];
    });
    placeholder.replaceWith(content);
    for (const [script, mark] of scripts) runScript(script, mark);
  };

  const reviveGranted = () => {
    for (const element of all('script[data-fp-consent],link[data-fp-consent],[data-fp-placeholder]')) {
      if (!isGranted(element.dataset.fpConsent ?? element.dataset.fpPlaceholder)) continue;
      if (element.localName == 'script') {
        runScript(element);
      } else if (element.localName == 'link') {
        element.removeAttribute('data-fp-consent');
        element.href = element.dataset.fpHref;
      } else {
        revealPlaceholder(element);
      }
    }
  };

  // Every preferences form on the page shows the current state, not what was rendered.
  const syncPreferenceForms = () => {
    for (const input of all('[data-fp-preferences] input[type=checkbox]:enabled')) input.checked = isGranted(input.value);
  };

  // Cookies of refused services are cleared by the server; storage only the page can clear. A key
  // ending in "*" is a prefix. The same names cover the IndexedDB databases SDKs open (Amplitude's
  // diagnostics): deleted where the browser can list them, once no script of the service holds them.
  const refused = name => Object.entries(config.storage).some(([service, keys]) =>
    !isGranted(service) && keys.some(key => key.at(-1) == '*' ? name.startsWith(key.slice(0, -1)) : name == key));
  const clearRefusedStorage = () => {
    try {
      for (const storage of [localStorage, sessionStorage]) {
        for (const name of Object.keys(storage)) if (refused(name)) storage.removeItem(name);
      }
      indexedDB.databases?.().then(databases => {
        for (const { name } of databases) if (refused(name)) indexedDB.deleteDatabase(name);
      }, () => {});
    } catch {
      // Storage can be switched off or throw in private modes; there is nothing to clear then.
    }
  };

  // Focus goes back to whatever opened the preferences, or to main so keyboard users do not start
  // over from the top of the page.
  const restoreFocus = () => {
    const target = opener?.isConnected ? opener : one('main');
    if (target?.localName == 'main' && !target.hasAttribute('tabindex')) target.tabIndex = -1;
    target?.focus();
    opener = null;
  };

  const applyState = newState => {
    state = newState;
    const focused = document.activeElement;
    let focusLost;
    for (const banner of newState.decided ? all(BANNER) : []) {
      focusLost = focused == document.body;
      banner.remove();
    }
    one('[data-fp-status]')?.replaceChildren(config.saved);
    reviveGranted();
    // Never leave focus on a node that is gone.
    if (focusLost || !focused?.isConnected) restoreFocus();
    clearRefusedStorage();
    syncPreferenceForms();
    document.dispatchEvent(new CustomEvent(CHANGE_EVENT, { detail: newState }));
    return newState;
  };

  const request = (url, options = {}, accept = 'application/json') =>
    fetch(url, { ...options, headers: { Accept: accept, ...options.headers } })
      .then(response => response.ok
        ? (accept == 'text/html' ? response.text() : response.json())
        : Promise.reject(Error('HTTP ' + response.status)));

  // A form carries its own antiforgery field; an API call has none, so it asks for a token first.
  const postChoice = (body, needsToken) => (needsToken ? request(endpoint + '?antiforgery') : Promise.resolve({}))
    .then(({ antiforgery }) => request(endpoint, {
      method: 'POST',
      body,
      headers: antiforgery ? { [antiforgery.headerName]: antiforgery.token } : {},
    }));

  const markAsDialog = banner => {
    if (banner.dataset.fpLayout == 'dialog') {
      banner.setAttribute('role', 'dialog');
      banner.setAttribute('aria-modal', 'true');
    }
  };

  // There is no banner on the page after a decision: fetch the server's, which ?fp-preferences renders.
  const fetchBanner = href => {
    const url = new URL(href || location.href, location.href);
    url.searchParams.set('fp-preferences', '1');
    return request(url, {}, 'text/html').then(html => {
      const banner = one(BANNER, new DOMParser().parseFromString(html, 'text/html'));
      banner.setAttribute(FETCHED, '');
      document.body.prepend(document.adoptNode(banner));
      return banner;
    });
  };

  const openPreferences = href => Promise.resolve(one(BANNER) || fetchBanner(href)).then(banner => {
    markAsDialog(banner);
    one('details[data-fp-preferences]', banner).open = true;
    one('input[type=checkbox]:enabled', banner)?.focus();
    return true;
  });

  document.addEventListener('submit', event => {
    const form = event.target;
    const submitter = event.submitter;
    const placeholder = form.closest('[data-fp-placeholder]');
    if (form.getAttribute('action') != endpoint || form.hasAttribute('data-fp-native')) return;
    event.preventDefault();
    if (submitter?.dataset.fpAllow == 'once') return revealPlaceholder(placeholder);
    // A placeholder's fields predate choices made on this page: keep those.
    const saving = placeholder
      ? decide('custom', [
        placeholder.dataset.fpPlaceholder,
        ...Object.keys({ ...state.categories, ...state.services }).filter(isGranted),
      ])
      : postChoice(new URLSearchParams(new FormData(form, submitter))).then(applyState);
    saving.catch(() => {
      // The server answers a plain post too.
      form.setAttribute('data-fp-native', '');
      form.requestSubmit(submitter);
    });
  });

  // Ticking a category ticks its services; a category is ticked while any of its services is.
  document.addEventListener('change', ({ target: input }) => {
    const form = input.closest('[data-fp-preferences]');
    const category = input.dataset.fpServiceOf;
    const servicesOf = key => all('input[name=service]', form).filter(service => service.dataset.fpServiceOf == key);
    if (!form) return;
    if (input.name == 'category') {
      for (const service of servicesOf(input.value)) service.checked = input.checked;
    }
    const categoryInput = category && all('input[name=category]:enabled', form).find(c => c.value == category);
    if (categoryInput) categoryInput.checked = servicesOf(category).some(service => service.checked);
  });

  document.addEventListener('click', event => {
    // A click dispatched on the document itself has a target without closest.
    const link = event.target.closest?.('[data-fp-open-preferences]');
    // Modified clicks keep the browser's meaning (new tab or window).
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    opener = link;
    openPreferences(link.href).catch(() => {
      if (link.href) location.href = link.href;
    });
  });

  document.addEventListener('keydown', event => {
    const banner = one(BANNER);
    const focused = document.activeElement;
    if (!banner) return;
    if (event.key == 'Tab' && banner.getAttribute('aria-modal')) {
      // A modal banner keeps Tab inside it, over what can take focus and is visible.
      const focusable = all('[href],button,input,select,textarea,summary,[tabindex]', banner).filter(element =>
        !element.disabled
        && element.tabIndex >= 0
        && element.getClientRects().length
        && !element.closest('details:not([open])>:not(summary)'));
      const first = focusable[0];
      const last = focusable.at(-1);
      if (first && (!banner.contains(focused) || focused == (event.shiftKey ? first : last))) {
        event.preventDefault();
        (event.shiftKey ? last : first).focus();
      }
    } else if (event.key == 'Escape' && banner.contains(focused)) {
      const details = one('details[data-fp-preferences]', banner);
      if (banner.hasAttribute(FETCHED)) {
        banner.remove();
        restoreFocus();
      } else if (details?.open) {
        details.open = false;
        one('summary', details).focus();
      }
    }
  });

  const decide = (choice, keys = []) => {
    const body = new URLSearchParams({ choice });
    for (const key of keys) body.append(key.includes('/') ? 'service' : 'category', key);
    return postChoice(body, true).then(applyState);
  };

  // The page was updated in place: Blazor's enhanced navigation and enhanced forms merge the server's
  // new HTML into this document and run none of its scripts. Take the state the server rendered with
  // it and do what a fresh load would.
  const refresh = () => {
    // Only a configuration the server rendered since the last read is news: a router that changes
    // the address without new HTML leaves the old one, older than a choice made on this page.
    const rendered = document.getElementById('fp-config')?.textContent;
    if (rendered && rendered != configText) {
      configText = rendered;
      const fresh = JSON.parse(rendered);
      state = { decided: fresh.decided, categories: fresh.categories, services: fresh.services };
    }
    const banner = one(BANNER);
    if (banner) markAsDialog(banner);
    reviveGranted();
    syncPreferenceForms();
    clearRefusedStorage();
    // Trackers whose page view ran once on the full load hear of the next pages here; a streaming
    // batch or a form post answered at the same address is not a new page.
    if (location.href != shownAt) {
      const referrer = shownAt;
      shownAt = location.href;
      document.dispatchEvent(new CustomEvent(NAVIGATE_EVENT, { detail: { url: shownAt, referrer } }));
    }
  };

  // Blazor raises enhancedload through its own registry, not as a DOM event; blazor.web.js may load
  // after this script, so look again once the document is parsed and loaded. Listen once only.
  let blazorHooked;
  const hookBlazor = () => {
    if (blazorHooked || !window.Blazor?.addEventListener) return;
    blazorHooked = true;
    window.Blazor.addEventListener('enhancedload', refresh);
  };

  /** @type {FirstPartyApi} */
  window.firstParty = {
    refresh,
    // A copy, so a caller cannot change what the script decides with.
    getState: () => structuredClone(state),
    isGranted,
    openPreferences: () => {
      opener = document.activeElement;
      return openPreferences().catch(() => false);
    },
    accept: () => decide('accept-all'),
    reject: () => decide('reject-all'),
    save: keys => decide('custom', keys),
    withdraw: () => decide('withdraw'),
    subscribe: listener => {
      const handler = event => listener(event.detail);
      document.addEventListener(CHANGE_EVENT, handler);
      return () => document.removeEventListener(CHANGE_EVENT, handler);
    },
  };

  const banner = one(BANNER);
  if (banner) {
    markAsDialog(banner);
    // A modal banner takes focus so keyboard and screen reader users meet it first.
    if (banner.getAttribute('aria-modal')) one('button', banner)?.focus();
  }
  reviveGranted();
  clearRefusedStorage();
  hookBlazor();
  for (const type of ['DOMContentLoaded', 'load']) addEventListener(type, hookBlazor, { once: true });
})();
