(() => {
  'use strict';
  const d = document, cfgEl = d.getElementById('fp-config');
  if (!cfgEl || window.firstParty) return;
  const cfg = JSON.parse(cfgEl.textContent), ep = cfg.endpoint;
  const $ = (q, r = d) => r.querySelector(q);
  const $$ = (q, r = d) => [...r.querySelectorAll(q)];
  const BANNER = '[data-fp-banner]', FROM = 'data-fp-fetched';
  let state = { decided: cfg.decided, categories: cfg.categories, services: cfg.services };
  let chain = Promise.resolve(), opener;

  const granted = k => {
    const { categories: c = {}, services: s = {} } = state;
    return !!k && k[0] != '!' && !!(k.includes('/') && k in s ? s[k] : c[k.split('/')[0]]);
  };

  // Only a created script runs. Browsers hide the nonce attribute, not the property.
  const fresh = old => {
    const s = d.createElement('script'), gated = old.hasAttribute('data-fp-consent');
    for (const { name, value } of old.attributes) {
      if (!/^(nonce|data-fp-(consent|src|type))$/.test(name) && !(gated && name == 'type')) s.setAttribute(name, value);
    }
    if (gated && old.dataset.fpType) s.type = old.dataset.fpType;
    if (gated && old.dataset.fpSrc) s.src = old.dataset.fpSrc;
    if (!s.src) s.text = old.text;
    s.nonce = old.nonce || old.getAttribute('nonce') || '';
    return s;
  };

  // Keep order: an external script loads before the next one goes in.
  const run = (old, at = old) => {
    const s = fresh(old);
    old.removeAttribute('data-fp-consent');
    chain = chain.then(() => new Promise(done => {
      s.onload = s.onerror = done;
      at.replaceWith(s);
      s.src || done();
    }));
  };

  const reveal = p => {
    const frag = $('template', p).content.cloneNode(true);
    const scripts = $$('script', frag).map(s => {
      const mark = new Comment();
      s.replaceWith(mark);
      return [s, mark];
    });
    p.replaceWith(frag);
    for (const [s, mark] of scripts) run(s, mark);
  };

  const revive = () => {
    for (const e of $$('script[data-fp-consent],link[data-fp-consent],[data-fp-placeholder]')) {
      if (!granted(e.dataset.fpConsent ?? e.dataset.fpPlaceholder)) continue;
      if (e.localName == 'script') run(e);
      else if (e.localName == 'link') {
        e.removeAttribute('data-fp-consent');
        e.href = e.dataset.fpHref;
      } else reveal(e);
    }
  };

  const sync = () => {
    for (const i of $$('[data-fp-preferences] input[type=checkbox]:enabled')) i.checked = granted(i.value);
  };

  const forget = () => {
    try {
      for (const st of [localStorage, sessionStorage]) for (const n of Object.keys(st)) {
        for (const [svc, keys] of Object.entries(cfg.storage)) {
          if (!granted(svc) && keys.some(k => k.at(-1) == '*' ? n.startsWith(k.slice(0, -1)) : n == k)) st.removeItem(n);
        }
      }
    } catch {}
  };

  const back = () => {
    const e = opener?.isConnected ? opener : $('main');
    if (e?.localName == 'main' && !e.hasAttribute('tabindex')) e.tabIndex = -1;
    e?.focus();
    opener = null;
  };

  const apply = st => {
    state = st;
    const at = d.activeElement;
    let lost;
    for (const b of st.decided ? $$(BANNER) : []) {
      lost = at == d.body;
      b.remove();
    }
    $('[data-fp-status]')?.replaceChildren(cfg.saved);
    revive();
    // Never leave focus on a node that is gone.
    if (lost || !at?.isConnected) back();
    forget();
    sync();
    d.dispatchEvent(new CustomEvent('firstparty:change', { detail: st }));
    return st;
  };

  const get = (u, o = {}, type = 'application/json') => fetch(u, { ...o, headers: { Accept: type, ...o.headers } })
    .then(r => r.ok ? (type == 'text/html' ? r.text() : r.json()) : Promise.reject(Error('HTTP ' + r.status)));

  const send = (body, token) => (token ? get(ep + '?antiforgery') : Promise.resolve({}))
    .then(({ antiforgery: a }) => get(ep, { method: 'POST', body, headers: a ? { [a.headerName]: a.token } : {} }));

  const show = b => {
    if (b.dataset.fpLayout == 'dialog') {
      b.setAttribute('role', 'dialog');
      b.setAttribute('aria-modal', 'true');
    }
  };

  // No banner after a decision: fetch the server's, for ?fp-preferences.
  const pull = href => {
    const u = new URL(href || location.href, location.href);
    u.searchParams.set('fp-preferences', '1');
    return get(u, {}, 'text/html').then(html => {
      const b = $(BANNER, new DOMParser().parseFromString(html, 'text/html'));
      b.setAttribute(FROM, '');
      d.body.prepend(d.adoptNode(b));
      return b;
    });
  };

  const open = href => Promise.resolve($(BANNER) || pull(href)).then(b => {
    show(b);
    $('details[data-fp-preferences]', b).open = true;
    $('input[type=checkbox]:enabled', b)?.focus();
    return true;
  });

  d.addEventListener('submit', e => {
    const f = e.target, btn = e.submitter, p = f.closest('[data-fp-placeholder]');
    if (f.getAttribute('action') != ep || f.hasAttribute('data-fp-native')) return;
    e.preventDefault();
    if (btn?.dataset.fpAllow == 'once') return reveal(p);
    // A placeholder's fields predate choices made on this page: keep those.
    (p ? decide('custom', [p.dataset.fpPlaceholder, ...Object.keys({ ...state.categories, ...state.services }).filter(granted)])
      : send(new URLSearchParams(new FormData(f, btn))).then(apply)).catch(() => {
      // The server answers a plain post too.
      f.setAttribute('data-fp-native', '');
      f.requestSubmit(btn);
    });
  });

  d.addEventListener('change', ({ target: i }) => {
    const r = i.closest('[data-fp-preferences]'), of = i.dataset.fpServiceOf;
    const services = k => $$('input[name=service]', r).filter(s => s.dataset.fpServiceOf == k);
    if (!r) return;
    if (i.name == 'category') for (const s of services(i.value)) s.checked = i.checked;
    const c = of && $$('input[name=category]:enabled', r).find(c => c.value == of);
    if (c) c.checked = services(of).some(s => s.checked);
  });

  d.addEventListener('click', e => {
    const o = e.target.closest?.('[data-fp-open-preferences]');
    if (!o || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    opener = o;
    open(o.href).catch(() => { if (o.href) location.href = o.href; });
  });

  d.addEventListener('keydown', e => {
    const b = $(BANNER), at = d.activeElement;
    if (!b) return;
    if (e.key == 'Tab' && b.getAttribute('aria-modal')) {
      const all = $$('[href],button,input,select,textarea,summary,[tabindex]', b).filter(x =>
        !x.disabled && x.tabIndex >= 0 && x.getClientRects().length && !x.closest('details:not([open])>:not(summary)'));
      const first = all[0], last = all.at(-1);
      if (first && (!b.contains(at) || at == (e.shiftKey ? first : last))) {
        e.preventDefault();
        (e.shiftKey ? last : first).focus();
      }
    } else if (e.key == 'Escape' && b.contains(at)) {
      const det = $('details[data-fp-preferences]', b);
      if (b.hasAttribute(FROM)) {
        b.remove();
        back();
      } else if (det?.open) {
        det.open = false;
        $('summary', det).focus();
      }
    }
  });

  const decide = (choice, keys = []) => {
    const body = new URLSearchParams({ choice });
    for (const k of keys) body.append(k.includes('/') ? 'service' : 'category', k);
    return send(body, 1).then(apply);
  };

  window.firstParty = {
    getState: () => structuredClone(state),
    openPreferences: () => {
      opener = d.activeElement;
      return open().catch(() => false);
    },
    accept: () => decide('accept-all'),
    reject: () => decide('reject-all'),
    save: keys => decide('custom', keys),
    withdraw: () => decide('withdraw'),
    subscribe: fn => {
      const h = e => fn(e.detail);
      d.addEventListener('firstparty:change', h);
      return () => d.removeEventListener('firstparty:change', h);
    },
  };

  const live = $(BANNER);
  if (live) {
    show(live);
    if (live.getAttribute('aria-modal')) $('button', live)?.focus();
  }
  revive();
  forget();
})();
